package reconcile

import (
	"context"
	"fmt"
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

// Watcher reports bursts of changes in a configuration directory.
type Watcher struct {
	dir string
	d   Debounce
	w   *fsnotify.Watcher
}

// NewWatcher starts watching dir; events from this moment on are reported by Run.
func NewWatcher(dir string, d Debounce) (*Watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", dir, err)
	}
	if err := w.Add(dir); err != nil {
		w.Close()
		return nil, fmt.Errorf("watch %s: %w", dir, err)
	}
	return &Watcher{dir: dir, d: d, w: w}, nil
}

// Run calls changed once per burst of events (any entry: a ConfigMap's
// ..data symlink swap is an event in dir too) until ctx is done, then
// closes the watcher. Errors of the watcher itself go to onError and
// watching goes on.
func (wt *Watcher) Run(ctx context.Context, changed func(), onError func(error)) error {
	w, d, dir := wt.w, wt.d, wt.dir
	defer w.Close()
	var timer *time.Timer
	var fire <-chan time.Time
	var first time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			onError(fmt.Errorf("watch %s: %w", dir, err))
		case _, ok := <-w.Events:
			if !ok {
				return nil
			}
			now := time.Now()
			if fire == nil {
				first = now
			}
			wait := max(min(d.Quiet, d.Max-now.Sub(first)), 0)
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait) // Go 1.23 timers: no stale value after Reset
			}
			fire = timer.C
		case <-fire:
			fire = nil
			changed()
		}
	}
}
