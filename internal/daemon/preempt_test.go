package daemon

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPreemptingNodeWaitsForTheOldMaster: a better node that joins and
// preempts the master takes the VIP only after the old master dropped it
// and said so with its priority-0 handoff advert, so the two never hold it
// together.
func TestPreemptingNodeWaitsForTheOldMaster(t *testing.T) {
	log := &haLog{}
	seg := newHASegment(log)
	lb2 := startHANode(t, seg, log, "lb2", "203.0.113.2", "priority: 100, preempt: true")
	eventually(t, "lb2 master with the VIP", func() bool { return vrrpState(t, lb2.socket) == "master" && lb2.holds(t) })
	from := log.len()
	lb1 := startHANode(t, seg, log, "lb1", "203.0.113.1", "priority: 150, preempt: true")
	eventually(t, "lb1 to preempt", func() bool { return vrrpState(t, lb1.socket) == "master" && lb1.holds(t) })
	eventually(t, "lb2 to drop the VIP", func() bool { return !lb2.holds(t) })
	lines := log.since(from)
	del, add := slices.Index(lines, "lb2 delete 192.0.2.10/32"), slices.Index(lines, "lb1 add 192.0.2.10/32")
	handoff := slices.Index(lines, "lb2 advert 0")
	if del < 0 || add < 0 || handoff < 0 || handoff < del || add < del {
		t.Fatalf("preemption order: lb2 delete %d, lb2 advert 0 %d, lb1 add %d in\n%s", del, handoff, add, strings.Join(lines, "\n"))
	}
	if st := statusOf(t, lb1.socket); !st.VRRP.Active {
		t.Fatalf("lb1 master but not active: %+v", st.VRRP)
	}
}

// TestPeerLeftWait: a preempting node's wait ends on a handoff advert read
// after its mastership began, not on an older one; without one, only once
// the old master has been silent for one and a half intervals and not
// before the time a seesaw master may take to release.
func TestPeerLeftWait(t *testing.T) {
	ctx := context.Background()
	none := func() time.Time { return time.Time{} }
	p := newPeerLeft()
	since := time.Now()
	p.hook(netip.Addr{})
	if how, ok := p.wait(ctx, time.Hour, since, since, none); !ok || how != "handoff advert" {
		t.Fatalf("after a handoff advert: %q %v", how, ok)
	}
	p.hook(netip.Addr{}) // before the next mastership: stale
	p.hook(netip.Addr{}) // replaces the first, never blocks
	if how, ok := p.wait(ctx, 20*time.Millisecond, time.Now().Add(time.Minute), time.Time{}, none); !ok || how != "silence" {
		t.Fatalf("with a stale handoff advert: %q %v", how, ok)
	}
	// The old master still advertises: 60 ms after the start, then stops.
	start := time.Now()
	rival := func() time.Time {
		if time.Since(start) < 60*time.Millisecond {
			return time.Now()
		}
		return start.Add(60 * time.Millisecond)
	}
	if how, ok := p.wait(ctx, 20*time.Millisecond, start, start, rival); !ok || how != "silence" || time.Since(start) < 90*time.Millisecond {
		t.Fatalf("an old master still advertising: %q %v after %v, want at least 90 ms", how, ok, time.Since(start))
	}
	// Silent from the start, but a seesaw master may still be releasing
	// for 80 ms.
	start = time.Now()
	if how, ok := p.wait(ctx, 20*time.Millisecond, start, start.Add(80*time.Millisecond), none); !ok || how != "silence" || time.Since(start) < 80*time.Millisecond {
		t.Fatalf("a release that may still run: %q %v after %v, want at least 80 ms", how, ok, time.Since(start))
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, ok := p.wait(cctx, time.Hour, time.Now(), time.Time{}, none); ok {
		t.Fatal("wait went on after its context ended")
	}
}
