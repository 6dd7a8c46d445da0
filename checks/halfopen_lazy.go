package checks

import (
	"log/slog"
	"sync"
)

// lazyProbes opens the engine's half-open probe sockets on the first
// half-open check, so that engines without such checks hold no raw
// sockets (and need no CAP_NET_RAW).
type lazyProbes struct {
	mu     sync.Mutex
	p      *halfOpen
	failed bool // could not open, or closed: connect instead
	open   func() (*halfOpen, error)
}

// get returns the prober, opening it on first use; nil means half-open
// checks run as connect checks (the reason is logged once).
func (l *lazyProbes) get(log *slog.Logger) *halfOpen {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.p != nil || l.failed || l.open == nil {
		return l.p
	}
	p, err := l.open()
	if err != nil {
		l.failed = true
		log.Warn("checks: half-open tcp checks run as connect checks", "error", err)
		return nil
	}
	l.p = p
	return p
}

// close closes the prober if it was opened; later gets return nil.
func (l *lazyProbes) close() {
	l.mu.Lock()
	p := l.p
	l.p, l.failed = nil, true
	l.mu.Unlock()
	if p != nil {
		p.close()
	}
}

// unmatched returns the prober's count of unmatched replies (0 before it
// opens and after it closes).
func (l *lazyProbes) unmatched() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.p == nil {
		return 0
	}
	return l.p.unmatched.Load()
}

// hasHalfOpen reports whether any check of batch is half-open.
func hasHalfOpen(batch []job) bool {
	for _, j := range batch {
		if j.ent.spec.halfOpen {
			return true
		}
	}
	return false
}
