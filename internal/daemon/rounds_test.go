package daemon

import (
	"testing"

	"github.com/seesaw-lb/seesaw/reconcile"
)

// TestRoundFeedKeepsTheLatest: put never blocks, and an unread status is
// replaced, so the follower wakes once and reads the latest round.
func TestRoundFeedKeepsTheLatest(t *testing.T) {
	f := newRoundFeed()
	for r := 1; r <= 3; r++ {
		f.put(reconcile.Status{Rounds: r}) // would hang here if put blocked
	}
	select {
	case <-f.ready():
	default:
		t.Fatal("no wake-up after put")
	}
	if got := f.take().Rounds; got != 3 {
		t.Fatalf("took round %d, want the latest, 3", got)
	}
	select {
	case <-f.ready():
		t.Fatal("a second wake-up for the same puts")
	default:
	}
}
