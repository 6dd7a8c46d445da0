package vrrp

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// orderConn records, in one log with the release hook, every advert sent.
type orderConn struct {
	*memConn
	log *orderLog
}

type orderLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *orderLog) add(s string) {
	l.mu.Lock()
	l.lines = append(l.lines, s)
	l.mu.Unlock()
}

func (l *orderLog) since(i int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines[i:])
}

func (l *orderLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

func (c orderConn) Send(a Advert) error {
	c.log.add(fmt.Sprintf("advert %d", a.Priority))
	return c.memConn.Send(a)
}

// releaseNode starts a node alone on a segment, with a release hook that
// logs the state it sees, and waits for it to be Master.
func releaseNode(t *testing.T, ctx context.Context) (*Node, *orderLog, chan error) {
	n, log, errc, _ := releaseNodeOn(t, ctx, &segment{}, true)
	return n, log, errc
}

// releaseNodeOn is releaseNode on seg, with a release hook that reports
// released.
func releaseNodeOn(t *testing.T, ctx context.Context, seg *segment, released bool) (*Node, *orderLog, chan error, *segment) {
	t.Helper()
	cfg := testConfig(100)
	cfg.AdvertInterval = 10 * time.Millisecond
	log := &orderLog{}
	n, err := NewNode(cfg, orderConn{seg.attach("192.0.2.11"), log}, SystemClock{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n.SetRelease(func() bool { log.add("release in " + n.State().String()); return released })
	errc := make(chan error, 1)
	go func() { errc <- n.Run(ctx) }()
	go func() {
		for range n.Events() {
		}
	}()
	waitFor(t, func() bool { return n.State() == Master })
	return n, log, errc, seg
}

// fromRelease is lines from the first release on. A Master's regular
// advert may be sent after the log was marked and before the loop takes
// the shutdown or step-down; it says nothing about the order of the two.
// When the release never ran, or a priority-0 advert went before it,
// lines are returned whole, so the failure shows what was sent.
func fromRelease(lines []string) []string {
	i := slices.IndexFunc(lines, func(e string) bool { return strings.HasPrefix(e, "release in ") })
	if i < 0 || slices.Contains(lines[:i], "advert 0") {
		return lines
	}
	return lines[i:]
}

// TestReleaseBeforePriorityZero: a Master that shuts down or steps down
// runs its release hook, no longer Master, before its priority-0 advert.
func TestReleaseBeforePriorityZero(t *testing.T) {
	t.Run("shutdown", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		_, log, errc := releaseNode(t, ctx)
		from := log.len()
		cancel()
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		if got, want := fromRelease(log.since(from)), []string{"release in initialize", "advert 0"}; !slices.Equal(got, want) {
			t.Errorf("after shutdown %q, want %q", got, want)
		}
	})
	t.Run("step-down", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		n, log, errc := releaseNode(t, ctx)
		from := log.len()
		if err := n.StepDown(); err != nil {
			t.Fatal(err)
		}
		got := fromRelease(log.since(from)) // StepDown returns after the advert is sent
		got = got[:min(2, len(got))]        // later, alone, it becomes Master again
		cancel()
		<-errc
		if want := []string{"release in backup", "advert 0"}; !slices.Equal(got, want) {
			t.Errorf("after step-down %q, want %q", got, want)
		}
	})
}

// TestHandoffAdvertOnlyAfterRelease: a Master preempted by a better advert
// sends its priority-0 handoff advert after its release hook, and none
// when the hook says the VIPs may still be held.
func TestHandoffAdvertOnlyAfterRelease(t *testing.T) {
	for _, released := range []bool{true, false} {
		ctx, cancel := context.WithCancel(context.Background())
		seg := &segment{}
		_, log, errc, _ := releaseNodeOn(t, ctx, seg, released)
		from := log.len()
		better := seg.attach("192.0.2.12")
		if err := better.Send(Advert{VRID: 60, Priority: 200, Interval: 1, Addrs: []netip.Addr{vip4}}); err != nil {
			t.Fatal(err)
		}
		// What the node sent from its release until it was Master again:
		// alone on the segment once the better router is silent, it takes
		// over after Master_Down_Interval (36 ms here), and what it sends
		// then is not the handoff. Adverts of the mastership before the
		// release are left out too.
		var got []string
		waitFor(t, func() bool {
			got = log.since(from)
			i := slices.Index(got, "release in backup")
			if i < 0 {
				return false
			}
			got = got[i:]
			j := slices.IndexFunc(got, func(e string) bool { return e != "release in backup" && e != "advert 0" })
			if j < 0 {
				return false
			}
			got = got[:j]
			return true
		})
		cancel()
		<-errc
		want := []string{"release in backup", "advert 0"}
		if !released {
			want = want[:1]
		}
		if !slices.Equal(got, want) {
			t.Errorf("released %v: after the better advert %q, want %q", released, got, want)
		}
	}
}
