package vrrp

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// TestOwnLinkDownIsAFault: a Master whose own link goes down leaves
// mastership at once (release hook, Initialize) and sends no advert, which
// the link could not carry; when the link returns it starts as Backup and,
// alone on the segment, becomes Master again.
func TestOwnLinkDownIsAFault(t *testing.T) {
	cfg := testConfig(100)
	cfg.AdvertInterval = 10 * time.Millisecond
	log := &orderLog{}
	n, err := NewNode(cfg, orderConn{(&segment{}).attach("192.0.2.11"), log}, SystemClock{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var up atomic.Bool
	up.Store(true)
	n.linkUp = func(string) bool { return up.Load() }
	n.SetRelease(func() bool { log.add("release in " + n.State().String()); return true })
	var reasons []Reason
	events := make(chan struct{})
	go func() {
		defer close(events)
		for e := range n.Events() {
			reasons = append(reasons, e.Reason)
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- n.Run(ctx) }()
	waitFor(t, func() bool { return n.State() == Master })

	from := log.len()
	up.Store(false)
	waitFor(t, func() bool { return n.State() == Initialize })
	time.Sleep(5 * cfg.AdvertInterval)
	// Adverts go on until the next poll sees the link down; none after it.
	got := log.since(from)
	if i := slices.Index(got, "release in initialize"); i < 0 || i != len(got)-1 {
		t.Fatalf("after the link went down %q, want the release last", got)
	}

	up.Store(true)
	waitFor(t, func() bool { return n.State() == Master })
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	<-events
	if !slices.Contains(reasons, ReasonLinkDown) || !slices.Contains(reasons, ReasonStartup) {
		t.Errorf("state change reasons %v lack %q then %q", reasons, ReasonLinkDown, ReasonStartup)
	}
}

// TestWatchLinkIgnoresALinkNeverUp: an interface that never was up (an
// in-memory Conn's name) is never reported down; a real one is reported on
// each change after it was seen up.
func TestWatchLinkIgnoresALinkNeverUp(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := make(chan bool, 4)
	go watchLink(ctx, "nope", func(string) bool { return false }, out)
	select {
	case u := <-out:
		t.Fatalf("a link never up reported %v", u)
	case <-time.After(3 * trackPeriod):
	}
	var up atomic.Bool
	up.Store(true)
	go watchLink(ctx, "eth1", func(string) bool { return up.Load() }, out)
	time.Sleep(2 * trackPeriod)
	up.Store(false)
	if u := <-out; u {
		t.Fatal("first report after the link went down says up")
	}
	up.Store(true)
	if u := <-out; !u {
		t.Fatal("report after the link came back says down")
	}
}

// TestLinkWatchLooksOnEachNotification: with the periodic look an hour
// away, a link notification alone makes the own-link watch and the
// tracking report the change.
func TestLinkWatchLooksOnEachNotification(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var up atomic.Bool
	up.Store(true)
	isUp := func(string) bool { return up.Load() }
	changes := make(chan struct{}, 1)
	own, penalty := make(chan bool, 1), make(chan int, 1)
	go watchLinkEvery(ctx, "eth1", isUp, changes, time.Hour, own)
	go trackLinksEvery(ctx, []TrackInterface{{Name: "eth1", Penalty: 30}}, isUp, changes, time.Hour, penalty)
	if p := <-penalty; p != 0 {
		t.Fatalf("first penalty %d, want 0", p)
	}
	time.Sleep(50 * time.Millisecond) // both have looked once
	up.Store(false)
	for range 2 {
		changes <- struct{}{}
	}
	select {
	case u := <-own:
		if u {
			t.Fatal("own link reported up after it went down")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a notification did not make the own-link watch look")
	}
	select {
	case p := <-penalty:
		if p != 30 {
			t.Fatalf("penalty %d, want 30", p)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a notification did not make the tracking look")
	}
}
