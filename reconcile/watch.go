package reconcile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Debounce tunes how the watcher coalesces bursts of file events.
type Debounce struct {
	// Quiet is how long the directory must stay still before a change fires.
	Quiet time.Duration
	// Max bounds the wait from the first event of a burst.
	Max time.Duration
	// Poll is how often the watcher checks that the directory at the
	// configured path is still the one it watches (a bind mount placed
	// over it sends no event); 0 disables the check.
	Poll time.Duration
}

// DefaultDebounce fits editors (rename-and-replace: a few events within a
// millisecond), ConfigMap ..data swaps and git checkouts of many files: the
// quiet time is short so a one-line edit reaches the kernel fast, and Max
// still makes a long burst one reload. A bind mount placed over the
// directory is seen within Poll (one stat).
var DefaultDebounce = Debounce{Quiet: 15 * time.Millisecond, Max: 500 * time.Millisecond, Poll: 250 * time.Millisecond}

// Watcher reports bursts of changes in a configuration directory and in
// the directories of the files it references (see Also). It watches the
// directory's parent too, so a directory removed and created again, or
// replaced by another one renamed over its name, is watched again. When
// the directory is a symlink (to a release directory, possibly through
// more links), the directories holding each link of the chain are watched
// too, so re-pointing any of them (ln -sfn + rename) is a change; a bind
// mount placed over the directory is found by Debounce.Poll.
type Watcher struct {
	dir, parent string
	d           Debounce
	w           *fsnotify.Watcher
	parentErr   error

	mu       sync.Mutex
	extra    []string    // directories watched for referenced files
	links    []string    // dir's symlink chain (linkChain)
	linkDirs []string    // directories watched for links of the chain
	ident    os.FileInfo // the directory watched now, for swapped
}

// NewWatcher starts watching dir; events from this moment on are reported by Run.
func NewWatcher(dir string, d Debounce) (*Watcher, error) {
	dir = filepath.Clean(dir)
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", dir, err)
	}
	if err := w.Add(dir); err != nil {
		w.Close()
		return nil, fmt.Errorf("watch %s: %w", dir, err)
	}
	wt := &Watcher{dir: dir, parent: filepath.Dir(dir), d: d, w: w}
	if wt.parent != dir {
		if err := w.Add(wt.parent); err != nil {
			// Edits still show; only a replaced directory would be missed.
			wt.parentErr = fmt.Errorf("watch %s for a replaced %s: %w", wt.parent, dir, err)
		}
	}
	wt.swapped()
	wt.mu.Lock()
	defer wt.mu.Unlock()
	if err := wt.watchLinksLocked(); err != nil && wt.parentErr == nil {
		wt.parentErr = fmt.Errorf("watch the links to %s: %w", dir, err)
	}
	return wt, nil
}

// Also makes the watcher report changes in the directories holding files
// (secret and CA files the configuration references) from now on, and
// stops watching the directories of files no longer listed. It is safe to
// call while Run runs.
func (wt *Watcher) Also(files []string) error {
	var dirs []string
	for _, f := range files {
		if d := filepath.Dir(filepath.Clean(f)); d != wt.dir {
			dirs = append(dirs, d)
		}
	}
	slices.Sort(dirs)
	dirs = slices.Compact(dirs)
	wt.mu.Lock()
	defer wt.mu.Unlock()
	var errs []error
	for _, d := range wt.extra {
		if !slices.Contains(dirs, d) && d != wt.parent && !slices.Contains(wt.linkDirs, d) {
			_ = wt.w.Remove(d) // fails when d is gone, which removed the watch too
		}
	}
	for _, d := range dirs {
		if d == wt.parent {
			continue // watched already, for a replaced directory
		}
		if err := wt.w.Add(d); err != nil {
			errs = append(errs, fmt.Errorf("watch %s: %w", d, err))
		}
	}
	wt.extra = dirs
	return errors.Join(errs...)
}

// relevant reports whether an event may change what a load reads, and
// whether it replaced the configuration directory itself.
func (wt *Watcher) relevant(ev fsnotify.Event) (changed, replaced bool) {
	name := filepath.Clean(ev.Name)
	switch {
	case name == wt.dir:
		return true, true
	case filepath.Dir(name) == wt.dir:
		return true, false
	}
	wt.mu.Lock()
	defer wt.mu.Unlock()
	if slices.Contains(wt.links, name) {
		return true, true
	}
	return slices.Contains(wt.extra, filepath.Dir(name)), false
}

// rearm watches the directory at dir's path again: after a rename over it,
// a new mkdir, a link swapped or a mount placed over it, the old watch
// follows the old inode or is gone. The link chain is watched anew. A
// directory that does not exist (yet) gives fs.ErrNotExist.
func (wt *Watcher) rearm() error {
	wt.swapped()            // before Add: a swap in between is found by the next poll
	_ = wt.w.Remove(wt.dir) // fails when the old directory is gone with its watch
	err := wt.w.Add(wt.dir)
	wt.mu.Lock()
	lerr := wt.watchLinksLocked()
	wt.mu.Unlock()
	if err != nil {
		return fmt.Errorf("watch %s again: %w", wt.dir, err)
	}
	if lerr != nil {
		return fmt.Errorf("watch the links to %s: %w", wt.dir, lerr)
	}
	return nil
}
