package reconcile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// Run calls changed once per burst of events (any entry of the directory:
// a ConfigMap's ..data symlink swap is an event in dir too; the
// directory's own name in its parent; a link of its symlink chain in its
// parent; any entry of a directory given to Also; another directory found
// at dir's path by the Poll) until ctx is done, then closes the watcher.
// Errors of the watcher itself go to onError and watching goes on.
func (wt *Watcher) Run(ctx context.Context, changed func(), onError func(error)) error {
	w, d, dir := wt.w, wt.d, wt.dir
	defer w.Close()
	if wt.parentErr != nil {
		onError(wt.parentErr)
	}
	var poll <-chan time.Time
	if d.Poll > 0 {
		t := time.NewTicker(d.Poll)
		defer t.Stop()
		poll = t.C
	}
	var timer *time.Timer
	var fire <-chan time.Time
	var first time.Time
	touch := func(replaced bool) {
		if replaced {
			if err := wt.rearm(); err != nil && !errors.Is(err, fs.ErrNotExist) {
				onError(err)
			}
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
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			onError(fmt.Errorf("watch %s: %w", dir, err))
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if hit, replaced := wt.relevant(ev); hit {
				touch(replaced)
			}
		case <-poll:
			if wt.swapped() {
				touch(true)
			}
		case <-fire:
			fire = nil
			changed()
		}
	}
}
