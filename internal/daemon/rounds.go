package daemon

import (
	"sync"

	"github.com/seesaw-lb/seesaw/reconcile"
)

// roundFeed hands the status of the loop's latest round to one follower
// without ever making the loop wait: a newer status replaces an unread one,
// so a slow follower sees the latest round, not every round.
type roundFeed struct {
	mu      sync.Mutex
	last    reconcile.Status
	pending chan struct{} // holds one token while last is unread
}

func newRoundFeed() *roundFeed {
	return &roundFeed{pending: make(chan struct{}, 1)}
}

// put stores st as the latest round and wakes the follower; it never blocks.
func (f *roundFeed) put(st reconcile.Status) {
	f.mu.Lock()
	f.last = st
	f.mu.Unlock()
	select {
	case f.pending <- struct{}{}:
	default: // the follower has a wake-up pending and will read st
	}
}

// ready receives once per put not yet followed by a take.
func (f *roundFeed) ready() <-chan struct{} { return f.pending }

// take returns the latest round's status.
func (f *roundFeed) take() reconcile.Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// onRound is the loop's OnRound: it hands each round's status to the parts
// that follow rounds (the check-service marks, the tracked services'
// penalty, readiness) and returns at once.
func (w *wiring) onRound(st reconcile.Status) {
	w.firstRound.Do(func() { close(w.roundDone) })
	w.marksFeed.put(st)
	w.trackFeed.put(st)
	w.roundsSeen.observe(st)
	w.hooks.round(st)
	if w.bgp != nil {
		w.bgp.feed.put(st)
	}
}
