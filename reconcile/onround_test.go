package reconcile

import (
	"context"
	"testing"
	"time"
)

// TestLoopOnRoundAfterEveryRound: OnRound receives the status of each
// round as it ends, the first one with the config's services applied.
func TestLoopOnRoundAfterEveryRound(t *testing.T) {
	_, c := fakeWith(t)
	rounds := make(chan Status, 8)
	l := NewLoop(LoopOptions{Kernel: c, Now: func() time.Time { return t0 }, OnRound: func(s Status) {
		select {
		case rounds <- s:
		default:
		}
	}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx, time.Hour) }()
	defer func() {
		cancel()
		<-done
	}()
	next := func(what string) Status {
		t.Helper()
		select {
		case s := <-rounds:
			return s
		case <-time.After(10 * time.Second): // a hang guard, not a timing assertion
			t.Fatalf("no OnRound call after %s", what)
		}
		return Status{}
	}
	l.SetConfig(services(t, webYAML))
	s := next("the first config")
	if s.Rounds != 1 || s.Error != "" || sumCounts(s.Applied) == 0 || len(s.Services) != 1 {
		t.Fatalf("first OnRound status: rounds %d, error %q, applied %v, services %+v", s.Rounds, s.Error, s.Applied, s.Services)
	}
	l.SetMaster(false)
	if s := next("a mastership change"); s.Rounds != 2 || s.Master {
		t.Fatalf("second OnRound status: rounds %d, master %v", s.Rounds, s.Master)
	}
}
