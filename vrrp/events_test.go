package vrrp

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestEventsCoalesceToLatest: a node changes state many more times than a
// consumer that does not read can hold; when the consumer finally reads,
// the last event it gets is the node's current state.
func TestEventsCoalesceToLatest(t *testing.T) {
	cfg := testConfig(100)
	cfg.AdvertInterval = 10 * time.Millisecond
	n, err := NewNode(cfg, (&segment{}).attach("192.0.2.11"), SystemClock{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- n.Run(ctx) }()
	// Alone on the segment it becomes Master after Master_Down_Interval; a
	// step-down makes it Backup until the interval passes again.
	const cycles = maxPendingEvents // 2 events a cycle: twice what can wait
	for i := 0; i < cycles; i++ {
		waitFor(t, func() bool { return n.State() == Master })
		if err := n.StepDown(); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, func() bool { return n.State() == Master })
	cancel() // shutdown: the last change is Master -> Initialize
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	var last Event
	got := 0
	for ev := range n.Events() {
		last, got = ev, got+1
	}
	if last.State != Initialize || last.Reason != ReasonShutdown {
		t.Errorf("last event %v (%s) of %d; want initialize (shutdown), the final state", last.State, last.Reason, got)
	}
	if st := n.Stats(); got != maxPendingEvents || st.EventsCoalesced == 0 {
		t.Errorf("took %d events, %d coalesced; want %d and some", got, st.EventsCoalesced, maxPendingEvents)
	}
}

// TestEventQueueOrder: a consumer that keeps up gets every event in order.
func TestEventQueueOrder(t *testing.T) {
	var coalesced atomic.Uint64
	q := newEventQueue(&coalesced)
	go q.run()
	for i := 0; i < 3*maxPendingEvents; i++ {
		q.push(Event{Priority: uint8(i)})
		if ev := <-q.out; ev.Priority != uint8(i) {
			t.Fatalf("event %d has priority %d", i, ev.Priority)
		}
	}
	q.finish()
	if _, ok := <-q.out; ok || coalesced.Load() != 0 {
		t.Fatalf("queue open after finish, or %d coalesced", coalesced.Load())
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
	}
}
