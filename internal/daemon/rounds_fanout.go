package daemon

import (
	"sync"

	"github.com/seesaw-lb/seesaw/reconcile"
)

// roundFanout hands the status of the loop's latest round to any number of
// followers (one per VRRP instance), each through a roundFeed of its own,
// without ever making the loop wait.
type roundFanout struct {
	mu   sync.Mutex
	subs map[*roundFeed]struct{}
}

func newRoundFanout() *roundFanout { return &roundFanout{subs: map[*roundFeed]struct{}{}} }

// put hands st to every follower; it never blocks.
func (f *roundFanout) put(st reconcile.Status) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.subs {
		s.put(st)
	}
}

// subscribe returns a feed of the rounds from now on.
func (f *roundFanout) subscribe() *roundFeed {
	s := newRoundFeed()
	f.mu.Lock()
	f.subs[s] = struct{}{}
	f.mu.Unlock()
	return s
}

// unsubscribe ends the feed s.
func (f *roundFanout) unsubscribe(s *roundFeed) {
	f.mu.Lock()
	delete(f.subs, s)
	f.mu.Unlock()
}
