package checks

import (
	"errors"
	"fmt"
	"maps"
	"time"
)

// Update makes the engine's set of checks equal to checks: new checks are
// added (spread over their first interval), vanished ones removed, and the
// rest keep running with their state and schedule. Identical checks (same
// Key) run once. If any check is invalid, nothing changes and the error
// names every bad one.
func (e *Engine) Update(checks []Check) error {
	e.updating.Lock()
	defer e.updating.Unlock()
	want, fresh, err := e.prepare(checks)
	if err != nil {
		for _, c := range fresh {
			c.checker.close()
		}
		return err
	}
	var closing []checker
	e.mu.Lock()
	var gone []*entry
	for ent := range e.entries.all() {
		if _, ok := want[ent.key]; !ok {
			gone = append(gone, ent)
		}
	}
	for _, ent := range gone {
		closing = append(closing, e.removeLocked(ent)...)
	}
	maps.Copy(e.specs, fresh)
	now := time.Now()
	for k, s := range want {
		if e.entries.get(k) == nil {
			e.addLocked(k, s, now)
		}
	}
	e.mu.Unlock()
	for _, c := range closing {
		c.close()
	}
	e.signal()
	return nil
}

// normalized is a spec checked and defaulted once per Update.
type normalized struct {
	spec Spec
	id   SpecID
	err  error
}

// prepare normalizes and deduplicates checks and compiles the specs the
// engine does not run yet, collecting every error. Each distinct *Spec is
// normalized and hashed once.
func (e *Engine) prepare(checks []Check) (map[Key]*Spec, map[SpecID]*compiled, error) {
	want := make(map[Key]*Spec, len(checks))
	fresh := make(map[SpecID]*compiled)
	seen := make(map[*Spec]*normalized)
	var errs []error
	for i, c := range checks {
		if c.Spec == nil {
			errs = append(errs, fmt.Errorf("check %d (%s): %w: no spec", i, c.Target, ErrInvalidSpec))
			continue
		}
		n, ok := seen[c.Spec]
		if !ok {
			n = &normalized{}
			n.spec, n.err = c.Spec.Normalize()
			n.id = n.spec.ID()
			seen[c.Spec] = n
		}
		err := n.err
		if err == nil && !c.Target.Address.IsValid() {
			err = fmt.Errorf("%w: no target address", ErrInvalidSpec)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("check %d (%s %s): %w", i, c.Spec.Type, c.Target, err))
			continue
		}
		k := Key{Target: c.Target, Spec: n.id}
		want[k] = &n.spec
		if _, ok := fresh[k.Spec]; ok || e.hasSpec(k.Spec) {
			continue
		}
		ch, err := compile(n.spec, e.env)
		if err != nil {
			errs = append(errs, fmt.Errorf("check %d (%s %s): %w", i, n.spec.Type, c.Target, err))
			continue
		}
		fresh[k.Spec] = newCompiled(n.spec, ch)
	}
	return want, fresh, errors.Join(errs...)
}

// hasSpec reports whether the engine already runs a spec with this ID.
func (e *Engine) hasSpec(id SpecID) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.specs[id]
	return ok
}

// addLocked creates and schedules the entry for k; its spec is compiled.
func (e *Engine) addLocked(k Key, s *Spec, now time.Time) {
	c := e.specs[k.Spec]
	c.refs++
	ent := &entry{key: k, spec: c, health: health{state: s.InitialState}, index: -1}
	ent.rec.since = now.UnixNano()
	ent.due = firstDue(now, s.Interval, e.rng.Float64())
	e.entries.put(ent)
	e.heap.schedule(ent)
}

// removeLocked drops ent; it returns the checkers no entry uses any more.
func (e *Engine) removeLocked(ent *entry) []checker {
	e.heap.remove(ent)
	ent.removed = true
	e.entries.del(ent)
	if r, ok := ent.spec.checker.(interface{ release(Target) }); ok {
		r.release(ent.key.Target)
	}
	ent.spec.refs--
	if ent.spec.refs > 0 {
		return nil
	}
	delete(e.specs, ent.key.Spec)
	return []checker{ent.spec.checker}
}

// closeCheckers releases every checker (at shutdown).
func (e *Engine) closeCheckers() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.specs {
		c.checker.close()
	}
}
