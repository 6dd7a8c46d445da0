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
	specs, fresh, err := e.prepare(checks)
	if err != nil {
		for _, c := range fresh {
			c.checker.close()
		}
		return err
	}
	e.mu.Lock()
	maps.Copy(e.specs, fresh)
	e.markLocked(checks, specs)
	closing := e.sweepLocked()
	e.mu.Unlock()
	for _, c := range closing {
		c.close()
	}
	e.signal()
	return nil
}

// markLocked stamps the entry of every check with this Update's
// generation, adding the entries that are new. Marking in place, instead
// of building a map of the wanted keys, keeps an Update of 100,000 checks
// from doubling the engine's memory.
func (e *Engine) markLocked(checks []Check, specs map[*Spec]*normalized) {
	e.gen++
	now := e.clock.Now()
	for _, c := range checks {
		n := specs[c.Spec]
		k := Key{Target: c.Target, Spec: n.id}
		ent := e.entries.get(k)
		if ent == nil {
			ent = e.addLocked(k, &n.spec, now)
			if c.StartDown {
				ent.health.state = StateDown
			}
		}
		ent.gen = e.gen
	}
}

// sweepLocked removes the entries this Update did not mark; it returns
// the checkers no entry uses any more.
func (e *Engine) sweepLocked() []checker {
	var gone []*entry
	for ent := range e.entries.all() {
		if ent.gen != e.gen {
			gone = append(gone, ent)
		}
	}
	var closing []checker
	for _, ent := range gone {
		closing = append(closing, e.removeLocked(ent)...)
	}
	return closing
}

// normalized is a spec checked and defaulted once per Update.
type normalized struct {
	spec Spec
	id   SpecID
	err  error
}

// prepare normalizes every distinct *Spec once, validates every check and
// compiles the specs the engine does not run yet, collecting every error.
func (e *Engine) prepare(checks []Check) (map[*Spec]*normalized, map[SpecID]*compiled, error) {
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
		if _, ok := fresh[n.id]; ok || e.hasSpec(n.id) {
			continue
		}
		ch, err := compile(n.spec, e.env)
		if err != nil {
			errs = append(errs, fmt.Errorf("check %d (%s %s): %w", i, n.spec.Type, c.Target, err))
			continue
		}
		fresh[n.id] = newCompiled(n.spec, ch)
	}
	return seen, fresh, errors.Join(errs...)
}

// hasSpec reports whether the engine already runs a spec with this ID.
func (e *Engine) hasSpec(id SpecID) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.specs[id]
	return ok
}

// addLocked creates and schedules the entry for k; its spec is compiled.
func (e *Engine) addLocked(k Key, s *Spec, now time.Time) *entry {
	c := e.specs[k.Spec]
	c.refs++
	ent := &entry{key: k, spec: c, health: health{state: s.InitialState}, index: -1}
	ent.rec.since = now.UnixNano()
	ent.due = firstDue(now, s.Interval, e.rng.Float64()).UnixNano()
	e.entries.put(ent)
	e.heap.schedule(ent)
	return ent
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
