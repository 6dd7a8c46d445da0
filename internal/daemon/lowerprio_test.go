package daemon

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/vrrp"
)

// announcedVIP counts n's announcements of the test VIP so far.
func (n *haNode) announcedVIP() int {
	c := 0
	for _, a := range n.addrs.Announced() {
		if a == netip.MustParseAddr("192.0.2.10") {
			c++
		}
	}
	return c
}

// TestMasterReannouncesOnLowerPriorityAdvert: a master that reads the
// advert of a resumed, lower-priority master (which announced the VIP it
// kept, moving the neighbours to itself, and then yields) announces the
// VIP again: a burst at once and another after garp_master_delay.
func TestMasterReannouncesOnLowerPriorityAdvert(t *testing.T) {
	log := &haLog{}
	seg := newHASegment(log)
	lb2 := startHANode(t, seg, log, "lb2", "203.0.113.2", "priority: 200, preempt: true, garp_master_delay: 1s")
	eventually(t, "lb2 master with the VIP", func() bool { return vrrpState(t, lb2.socket) == "master" && lb2.holds(t) })
	time.Sleep(1500 * time.Millisecond) // past lb2's takeover announcements
	base := lb2.announcedVIP()
	lb1 := startHANodeWith(t, seg, log, "lb1", "203.0.113.1", "priority: 150, preempt: true", holdingVIP(t))
	eventually(t, "lb1 to yield", func() bool { return vrrpState(t, lb1.socket) == "backup" && !lb1.holds(t) })
	burst := desired.DefaultGARPRepeat
	eventually(t, "lb2 to announce the VIP again", func() bool { return lb2.announcedVIP() >= base+burst })
	eventually(t, "lb2's second burst", func() bool { return lb2.announcedVIP() >= base+2*burst })
	if !lb2.holds(t) || vrrpState(t, lb2.socket) != "master" {
		t.Fatalf("lb2 holds %v and is %s; log:\n%s", lb2.holds(t), vrrpState(t, lb2.socket), strings.Join(log.since(0), "\n"))
	}
}

// TestReannounceIsRateLimited: a stray lower-priority master that keeps
// advertising makes the master announce its VIPs again at most once per
// advert interval (here longer than garp_interval).
func TestReannounceIsRateLimited(t *testing.T) {
	log := &haLog{}
	seg := newHASegment(log)
	lb2 := startHANode(t, seg, log, "lb2", "203.0.113.2", "priority: 200, preempt: true, advert_interval: 1s, garp_master_delay: 0s")
	eventually(t, "lb2 master with the VIP", func() bool { return vrrpState(t, lb2.socket) == "master" && lb2.holds(t) })
	time.Sleep(300 * time.Millisecond)
	base := lb2.announcedVIP()
	stray := seg.attach("203.0.113.9")
	adv := vrrp.Advert{VRID: 51, Priority: 50, Interval: 100, Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.10")}}
	start := time.Now()
	for time.Since(start) < 2500*time.Millisecond {
		if err := stray.Send(adv); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond)
	got, burst := lb2.announcedVIP()-base, desired.DefaultGARPRepeat
	// 25 adverts over 2.5 s: bursts at most 1 s apart, so at most three.
	if got < burst || got > 3*burst {
		t.Fatalf("lb2 announced the VIP %d times for 25 lower-priority adverts in 2.5 s; want one to three bursts of %d", got, burst)
	}
	if vrrpState(t, lb2.socket) != "master" || !lb2.holds(t) {
		t.Fatalf("lb2 is %s, holds %v", vrrpState(t, lb2.socket), lb2.holds(t))
	}
}

// TestReannounceEndsOnRelease: a master that leaves mastership ends the
// announcements a lower-priority advert started before its VIPs go, and
// announces nothing after.
func TestReannounceEndsOnRelease(t *testing.T) {
	log := &haLog{}
	seg := newHASegment(log)
	keys := "preempt: true, garp_master_repeat: 50, garp_interval: 100ms, garp_master_delay: 0s"
	lb2 := startHANode(t, seg, log, "lb2", "203.0.113.2", "priority: 200, "+keys)
	eventually(t, "lb2 master with the VIP", func() bool { return vrrpState(t, lb2.socket) == "master" && lb2.holds(t) })
	lb1 := startHANode(t, seg, log, "lb1", "203.0.113.1", "priority: 100, "+keys)
	eventually(t, "lb1 backup", func() bool { return vrrpState(t, lb1.socket) == "backup" })
	time.Sleep(5500 * time.Millisecond) // past lb2's takeover burst (50 x 100 ms)
	base := lb2.announcedVIP()
	adv := vrrp.Advert{VRID: 51, Priority: 50, Interval: 5, Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.10")}}
	if err := seg.attach("203.0.113.9").Send(adv); err != nil {
		t.Fatal(err)
	}
	eventually(t, "lb2 to announce the VIP again", func() bool { return lb2.announcedVIP() > base })
	if err := ctl(lb2.socket, "failover"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "lb1 to take over", func() bool { return vrrpState(t, lb1.socket) == "master" && lb1.holds(t) && !lb2.holds(t) })
	after := lb2.announcedVIP()
	time.Sleep(time.Second)
	if n := lb2.announcedVIP(); n != after || n-base >= 50 {
		t.Fatalf("lb2 announced the VIP %d times after it let it go (%d of the burst of 50 in all)", n-after, n-base)
	}
}
