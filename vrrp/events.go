package vrrp

import (
	"slices"
	"sync"
	"sync/atomic"
)

// maxPendingEvents bounds the events waiting for a slow consumer; beyond it
// the newest event replaces the last pending one.
const maxPendingEvents = 64

// eventQueue delivers a node's state changes in order without ever losing
// the latest: when the consumer falls behind by maxPendingEvents, the last
// pending event is replaced (coalesced), so the last event delivered is
// always the node's current state.
type eventQueue struct {
	out       chan Event
	wake      chan struct{}
	coalesced *atomic.Uint64

	mu       sync.Mutex
	pending  []Event
	finished bool
}

func newEventQueue(coalesced *atomic.Uint64) *eventQueue {
	return &eventQueue{out: make(chan Event), wake: make(chan struct{}, 1), coalesced: coalesced}
}

// push queues ev; it never blocks.
func (q *eventQueue) push(ev Event) {
	q.mu.Lock()
	if len(q.pending) == maxPendingEvents {
		q.pending[len(q.pending)-1] = ev
		q.coalesced.Add(1)
	} else {
		q.pending = append(q.pending, ev)
	}
	q.mu.Unlock()
	q.signal()
}

// finish makes run deliver what is pending and then close the channel.
func (q *eventQueue) finish() {
	q.mu.Lock()
	q.finished = true
	q.mu.Unlock()
	q.signal()
}

func (q *eventQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// run hands the pending events to the consumer, oldest first, until finish
// was called and nothing is pending.
func (q *eventQueue) run() {
	for {
		q.mu.Lock()
		if len(q.pending) == 0 {
			done := q.finished
			q.mu.Unlock()
			if done {
				close(q.out)
				return
			}
			<-q.wake
			continue
		}
		ev := q.pending[0] // only push's coalescing rewrites, and never index 0 of a full queue
		q.mu.Unlock()
		select {
		case q.out <- ev:
			q.mu.Lock()
			q.pending = slices.Delete(q.pending, 0, 1)
			q.mu.Unlock()
		case <-q.wake: // more events or finish: look again
		}
	}
}
