package checks

import "time"

// Event is a state change of one check.
type Event struct {
	// Key identifies the check (target and spec).
	Key Key
	// State is the new state.
	State State
	// At is when the deciding result arrived.
	At time.Time
	// Err is the deciding result's error (nil when the change is to up).
	Err error
	// Seq numbers events from 1 in the order they happened.
	Seq uint64
}

// coalescer gathers events for a window after the first one, then hands
// them over as one batch; batches a slow consumer has not taken yet are
// merged, so delivery stays in order and nothing is dropped.
type coalescer struct {
	window  time.Duration
	seq     uint64
	pending []Event
	flushAt time.Time
	ready   []Event
}

// add records ev at now.
func (c *coalescer) add(ev Event, now time.Time) {
	c.seq++
	ev.Seq = c.seq
	if len(c.pending) == 0 {
		c.flushAt = now.Add(c.window)
	}
	c.pending = append(c.pending, ev)
}

// tick moves the pending events to the ready batch once their window has
// passed, and returns when to tick next (zero when nothing is pending).
func (c *coalescer) tick(now time.Time) time.Time {
	if len(c.pending) == 0 {
		return time.Time{}
	}
	if now.Before(c.flushAt) {
		return c.flushAt
	}
	c.ready = append(c.ready, c.pending...)
	c.pending = nil
	return time.Time{}
}

// take returns the ready batch, emptying it.
func (c *coalescer) take() []Event {
	b := c.ready
	c.ready = nil
	return b
}
