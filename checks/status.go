package checks

import (
	"math/bits"
	"slices"
	"time"
)

// Status is the observable state of one check, for status output and metrics.
type Status struct {
	Key  Key
	Type Type
	// State is the current state; Changing is true while results disagree
	// with it but Rise/Fall is not reached yet.
	State    State
	Changing bool
	// Since is when the state last changed (or the check was added).
	Since time.Time
	// LastCheck is when the last result arrived; LastError is its error
	// (nil for a success) and Latency how long it took.
	LastCheck time.Time
	LastError error
	Latency   time.Duration
	// Checks, Failures and Transitions count results, failed results and
	// state changes since the check was added.
	Checks, Failures, Transitions uint64
}

// record notes one result.
func (s *Status) record(start, end time.Time, err error) {
	s.LastCheck, s.LastError, s.Latency = end, err, end.Sub(start)
	s.Checks++
	if err != nil {
		s.Failures++
	}
}

// transition notes a state change.
func (s *Status) transition(to State, at time.Time) {
	s.State, s.Since = to, at
	s.Transitions++
}

// Status returns the status of the check with key k.
func (e *Engine) Status(k Key) (Status, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ent, ok := e.entries[k]
	if !ok {
		return Status{}, false
	}
	return ent.status, true
}

// Statuses returns the status of every check.
func (e *Engine) Statuses() []Status {
	e.mu.Lock()
	out := make([]Status, 0, len(e.entries))
	for _, ent := range e.entries {
		out = append(out, ent.status)
	}
	e.mu.Unlock()
	slices.SortFunc(out, func(a, b Status) int { return a.Key.Target.AddrPort().Compare(b.Key.Target.AddrPort()) })
	return out
}

// Stats are engine-wide counters.
type Stats struct {
	// Targets is the number of distinct checks scheduled.
	Targets int
	// Started, Completed and Failed count checks since the engine was made.
	Started, Completed, Failed uint64
	// InFlight is the number of checks running now; PeakInFlight the most
	// that ever ran at once.
	InFlight, PeakInFlight int
	lateness               histogram
}

// LatenessQuantile returns an upper bound of the q-quantile (0 < q <= 1) of
// how late checks started compared with their schedule.
func (s Stats) LatenessQuantile(q float64) time.Duration { return s.lateness.quantile(q) }

// Stats returns a snapshot of the engine-wide counters.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.stats
	s.Targets, s.InFlight = len(e.entries), e.inflight
	return s
}

// histogram counts durations in power-of-two microsecond buckets: bucket i
// holds durations below 2^i µs (bucket 0: under 1µs).
type histogram struct {
	buckets [40]uint64
	n       uint64
}

// add counts d.
func (h *histogram) add(d time.Duration) {
	us := uint64(max(d, 0) / time.Microsecond)
	i := min(bits.Len64(us), len(h.buckets)-1)
	h.buckets[i]++
	h.n++
}

// quantile returns the upper bound of the bucket holding the q-quantile.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q * float64(h.n))
	var seen uint64
	for i, c := range h.buckets {
		seen += c
		if seen >= rank && c > 0 {
			return time.Duration(uint64(1)<<i) * time.Microsecond
		}
	}
	return time.Duration(uint64(1)<<(len(h.buckets)-1)) * time.Microsecond
}

// Since returns the counters accumulated after prev was taken.
func (s Stats) Since(prev Stats) Stats {
	s.Started -= prev.Started
	s.Completed -= prev.Completed
	s.Failed -= prev.Failed
	for i := range s.lateness.buckets {
		s.lateness.buckets[i] -= prev.lateness.buckets[i]
	}
	s.lateness.n -= prev.lateness.n
	return s
}
