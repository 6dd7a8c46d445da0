package checks

import (
	"container/heap"
	"time"
)

// nextInterval returns the interval after a result: FastInterval while the
// target is changing state, DownInterval while it is stably down, Interval
// otherwise.
func nextInterval(s *Spec, h health) time.Duration {
	switch {
	case h.changing():
		return s.FastInterval
	case h.state == StateDown:
		return s.DownInterval
	}
	return s.Interval
}

// jittered spreads d by up to ±frac/2 of itself; r is uniform in [0, 1).
func jittered(d time.Duration, frac, r float64) time.Duration {
	return d + time.Duration(float64(d)*frac*(r-0.5))
}

// firstDue returns when a newly added check first runs: uniformly spread
// over one interval so that a start or reload brings no thundering herd.
func firstDue(now time.Time, interval time.Duration, r float64) time.Time {
	return now.Add(time.Duration(float64(interval) * r))
}

// nextDue returns the next start after a check scheduled at due finished at
// now: one interval after the scheduled time (so the phase does not drift
// by the check's duration), but never in the past.
func nextDue(due, now time.Time, d time.Duration) time.Time {
	next := due.Add(d)
	if next.Before(now) {
		return now
	}
	return next
}

// timerHeap orders scheduled entries by due time. Each slot keeps the due
// time inline, so comparisons do not chase pointers through 100,000 entries.
type timerHeap []heapSlot

// heapSlot is one scheduled entry and its due time in unix nanoseconds.
type heapSlot struct {
	at  int64
	ent *entry
}

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].ent.index, h[j].ent.index = int32(i), int32(j)
}

// Push and Pop implement heap.Interface; use schedule and popDue instead.
func (h *timerHeap) Push(x any) {
	e := x.(*entry)
	e.index = int32(len(*h))
	*h = append(*h, heapSlot{at: e.due, ent: e})
}

func (h *timerHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	old[len(old)-1] = heapSlot{}
	*h = old[:len(old)-1]
	s.ent.index = -1
	return s.ent
}

// schedule adds e at e.due.
func (h *timerHeap) schedule(e *entry) { heap.Push(h, e) }

// popDue removes and returns the earliest entry if it is due at now.
func (h *timerHeap) popDue(now time.Time) *entry {
	if len(*h) == 0 || (*h)[0].at > now.UnixNano() {
		return nil
	}
	return heap.Pop(h).(*entry)
}

// peekDue returns the earliest entry, without removing it, if it is due at now.
func (h timerHeap) peekDue(now time.Time) *entry {
	if len(h) == 0 || h[0].at > now.UnixNano() {
		return nil
	}
	return h[0].ent
}

// remove takes e out of the heap if it is in it.
func (h *timerHeap) remove(e *entry) {
	if e.index >= 0 {
		heap.Remove(h, int(e.index))
	}
}

// next returns the earliest due time, if any.
func (h timerHeap) next() (time.Time, bool) {
	if len(h) == 0 {
		return time.Time{}, false
	}
	return time.Unix(0, h[0].at), true
}
