package daemon

import (
	"fmt"
	"slices"
	"sync"
)

// overridesStore is the overrides file: its path in the state directory
// and the lock that makes each change a single
// read-modify-write, so concurrent drain and enable commands are all kept.
type overridesStore struct {
	path string
	mu   sync.Mutex // held from reading w.over to putting the saved value in force
}

// loadOverrides reads the overrides file at start, after moving one an
// older release left in configDir (migrateOverrides); a file that cannot
// be read is reported (log, status, metrics) and the daemon starts without
// it: a drain by hand lost is better than no load balancing.
func (w *wiring) loadOverrides(configDir string) {
	if err := w.migrateOverrides(configDir); err != nil {
		w.degrade(partOverrides, fmt.Errorf("%w; started without manual drains", err))
		return
	}
	o, err := readOverrides(w.overFile.path)
	if err != nil {
		w.degrade(partOverrides, fmt.Errorf("%w; started without manual drains", err))
		return
	}
	w.over = o
}

// override drains (or enables) a backend by hand: the override is saved
// durably first, read back, then put into force.
func (w *wiring) override(arg string, drain bool) error {
	ref, err := ParseBackendRef(arg)
	if err != nil {
		return err
	}
	w.overFile.mu.Lock()
	defer w.overFile.mu.Unlock()
	w.mu.Lock()
	o := overrides{Drained: slices.Clone(w.over.Drained)}
	w.mu.Unlock()
	var changed bool
	if drain {
		changed = o.drain(ref)
	} else {
		changed = o.enable(ref)
	}
	if !changed {
		return nil
	}
	saved, err := w.saveOverrides(o)
	if err != nil {
		w.degrade(partOverrides, err)
		return err
	}
	w.restore(partOverrides)
	return w.setOverrides(saved)
}

// saveOverrides writes o and returns the file as read back: what is put in
// force is what a restart will find.
func (w *wiring) saveOverrides(o overrides) (overrides, error) {
	if err := writeOverrides(w.overFile.path, o); err != nil {
		return overrides{}, err
	}
	back, err := readOverrides(w.overFile.path)
	if err != nil {
		return overrides{}, fmt.Errorf("check saved overrides: %w", err)
	}
	if !slices.Equal(back.Drained, o.Drained) {
		return overrides{}, fmt.Errorf("check saved overrides %s: read back %q, wrote %q", w.overFile.path, back.Drained, o.Drained)
	}
	return back, nil
}
