package reconcile

import (
	"errors"
	"fmt"
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
}

// DefaultDebounce fits editors (rename-and-replace: a few events within a
// millisecond), ConfigMap ..data swaps and git checkouts of many files: the
// quiet time is short so a one-line edit reaches the kernel fast, and Max
// still makes a long burst one reload.
var DefaultDebounce = Debounce{Quiet: 15 * time.Millisecond, Max: 500 * time.Millisecond}

// Watcher reports bursts of changes in a configuration directory and in
// the directories of the files it references (see Also). It watches the
// directory's parent too, so a directory removed and created again, or
// replaced by another one renamed over its name, is watched again.
type Watcher struct {
	dir, parent string
	d           Debounce
	w           *fsnotify.Watcher
	parentErr   error

	mu    sync.Mutex
	extra []string // directories watched for referenced files
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
		if !slices.Contains(dirs, d) && d != wt.parent {
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
	return slices.Contains(wt.extra, filepath.Dir(name)), false
}

// rearm watches the directory at dir's path again: after a rename over it
// or a new mkdir the old watch follows the old inode or is gone. A
// directory that does not exist (yet) gives fs.ErrNotExist.
func (wt *Watcher) rearm() error {
	_ = wt.w.Remove(wt.dir) // fails when the old directory is gone with its watch
	if err := wt.w.Add(wt.dir); err != nil {
		return fmt.Errorf("watch %s again: %w", wt.dir, err)
	}
	return nil
}
