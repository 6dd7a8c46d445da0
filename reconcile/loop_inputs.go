package reconcile

import (
	"maps"

	"github.com/seesaw-lb/seesaw/desired"
)

// pendingInputs are the loop's inputs not yet taken by its goroutine: the
// latest value of each, so a sender never waits for a round (one stuck in
// the kernel included) and a burst coalesces into one round.
type pendingInputs struct {
	// configs counts SetConfig calls since the last take (each is a
	// generation); cfg is the latest.
	configs int
	cfg     desired.Config
	// configErr is the status's config error after the calls since the
	// last take, in order (SetConfig clears it, ConfigError sets it); nil:
	// unchanged.
	configErr  *string
	health     Health
	haveHealth bool
	master     bool
	haveMaster bool
	// instances are the SetInstanceMaster calls since the last take (a
	// SetMaster clears them: it sets every instance).
	instances map[string]bool
	resync    bool
}

// set records an input and wakes the loop; it never blocks.
func (l *Loop) set(f func(p *pendingInputs)) {
	l.pendingMu.Lock()
	f(&l.pending)
	l.pendingMu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default: // a wake-up is already pending; it will see this input too
	}
}

// drainEvents takes every pending input into the loop's state, so a burst
// costs one round. It runs on the loop's goroutine.
func (l *Loop) drainEvents() {
	l.pendingMu.Lock()
	p := l.pending
	l.pending = pendingInputs{}
	l.pendingMu.Unlock()
	if p.configs > 0 {
		l.cfg, l.haveCfg = p.cfg, true
	}
	if p.configs > 0 || p.configErr != nil {
		l.setStatus(func(s *Status) {
			if p.configs > 0 {
				s.Generation += p.configs
				s.Files = p.cfg.Files
			}
			if p.configErr != nil {
				s.ConfigError = *p.configErr
			}
		})
	}
	if p.haveHealth {
		l.health = p.health
	}
	if p.haveMaster {
		l.master, l.instances = p.master, nil
	}
	if len(p.instances) > 0 {
		// A new map: the previous round's Inputs keep the old one.
		next := maps.Clone(l.instances)
		if next == nil {
			next = map[string]bool{}
		}
		maps.Copy(next, p.instances)
		l.instances = next
	}
	if p.resync {
		l.liveOK = false
	}
}
