package daemon

import (
	"sync"

	"github.com/seesaw-lb/seesaw/checks"
)

// resultKey labels one check result counter.
type resultKey struct {
	typ    checks.Type
	result string // success or failure
}

// resultCounter turns the engine's per-check counts (which vanish with a
// removed check) into monotonic per-type totals: each scrape adds what every
// check counted since the previous scrape.
type resultCounter struct {
	mu     sync.Mutex
	seen   map[checks.Key][2]uint64 // checks, failures at the last scrape
	totals map[resultKey]uint64
}

func newResultCounter() *resultCounter {
	return &resultCounter{seen: map[checks.Key][2]uint64{}, totals: map[resultKey]uint64{}}
}

// add folds the statuses in and returns a copy of the totals.
func (r *resultCounter) add(statuses []checks.Status) map[resultKey]uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := make(map[checks.Key][2]uint64, len(statuses))
	for _, s := range statuses {
		prev := r.seen[s.Key]
		if s.Checks < prev[0] || s.Failures < prev[1] {
			prev = [2]uint64{} // the check was removed and added again
		}
		failures := s.Failures - prev[1]
		r.totals[resultKey{s.Type, "failure"}] += failures
		r.totals[resultKey{s.Type, "success"}] += s.Checks - prev[0] - failures
		now[s.Key] = [2]uint64{s.Checks, s.Failures}
	}
	r.seen = now
	out := make(map[resultKey]uint64, len(r.totals))
	for k, v := range r.totals {
		out[k] = v
	}
	return out
}
