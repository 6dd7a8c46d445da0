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

// record is what an entry remembers for its Status, kept compact: the
// engine holds one per target.
type record struct {
	since, last                   int64 // unix nanoseconds
	latency                       time.Duration
	err                           error
	checks, failures, transitions uint64
}

// result notes one result.
func (r *record) result(start, end time.Time, err error) {
	r.last, r.err, r.latency = end.UnixNano(), err, end.Sub(start)
	r.checks++
	if err != nil {
		r.failures++
	}
}

// transition notes a state change.
func (r *record) transition(at time.Time) {
	r.since = at.UnixNano()
	r.transitions++
}

// status renders the entry's Status.
func (ent *entry) status() Status {
	s := Status{Key: ent.key, Type: ent.spec.spec.Type, State: ent.health.state, Changing: ent.health.changing(),
		Since: time.Unix(0, ent.rec.since), LastError: ent.rec.err, Latency: ent.rec.latency,
		Checks: ent.rec.checks, Failures: ent.rec.failures, Transitions: ent.rec.transitions}
	if ent.rec.last != 0 {
		s.LastCheck = time.Unix(0, ent.rec.last)
	}
	return s
}

// Status returns the status of the check with key k.
func (e *Engine) Status(k Key) (Status, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ent := e.entries.get(k)
	if ent == nil {
		return Status{}, false
	}
	return ent.status(), true
}

// Statuses returns the status of every check.
func (e *Engine) Statuses() []Status {
	e.mu.Lock()
	out := make([]Status, 0, e.entries.len())
	for ent := range e.entries.all() {
		out = append(out, ent.status())
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
	// HalfOpenUnmatched counts segments that reached the half-open probe
	// sockets (past their filter) but answer no probe in flight: late
	// replies to probes that timed out, or other traffic to the probe
	// ports. They are dropped.
	HalfOpenUnmatched uint64
	lateness          histogram
}

// LatenessQuantile returns an upper bound of the q-quantile (0 < q <= 1) of
// how late checks started compared with their schedule.
func (s Stats) LatenessQuantile(q float64) time.Duration { return s.lateness.quantile(q) }

// Stats returns a snapshot of the engine-wide counters.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	s := e.stats
	s.Targets, s.InFlight = e.entries.len(), e.inflight
	e.mu.Unlock()
	s.HalfOpenUnmatched = e.probes.unmatched()
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
