package daemon

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// holdingVIP starts a node's fake interface with the VIP on it, as a
// daemon killed while Master leaves it.
func holdingVIP(t *testing.T) func(*deps, *kerneltest.Addresses) {
	return func(_ *deps, fa *kerneltest.Addresses) {
		if err := fa.Add(t.Context(), "eth1", netip.MustParsePrefix("192.0.2.10/32")); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCrashedMasterResumesWithItsVIPs: a daemon that starts with its
// instance's VIPs on the interface (its last run was killed as Master)
// resumes mastership at once without removing them and announces them
// (a peer may have moved the neighbours meanwhile), and its first advert
// keeps the backup, whose Master_Down_Timer has not fired, from taking
// over.
func TestCrashedMasterResumesWithItsVIPs(t *testing.T) {
	log := &haLog{}
	seg := newHASegment(log)
	lb2 := startHANode(t, seg, log, "lb2", "203.0.113.2", "priority: 100, preempt: true, advert_interval: 1s")
	eventually(t, "lb2 backup", func() bool { return vrrpState(t, lb2.socket) == "backup" })
	from := log.len()
	lb1 := startHANodeWith(t, seg, log, "lb1", "203.0.113.1", "priority: 150, preempt: true, advert_interval: 1s", holdingVIP(t))
	eventually(t, "lb1 master", func() bool { return vrrpState(t, lb1.socket) == "master" })
	eventually(t, "lb1 to announce the VIP it kept", func() bool {
		return slices.Contains(lb1.addrs.Announced(), netip.MustParseAddr("192.0.2.10"))
	})
	// Past lb2's Master_Down_Interval (3 s plus its Skew_Time) from its start.
	time.Sleep(4 * time.Second)
	lines := log.since(from)
	if slices.Contains(lines, "lb1 delete 192.0.2.10/32") || slices.Contains(lines, "lb2 add 192.0.2.10/32") ||
		!lb1.holds(t) || lb2.holds(t) || vrrpState(t, lb2.socket) != "backup" {
		t.Fatalf("want lb1 to keep the VIP as master and lb2 to stay backup without it; lb1 holds %v, lb2 holds %v and is %s; log:\n%s",
			lb1.holds(t), lb2.holds(t), vrrpState(t, lb2.socket), strings.Join(lines, "\n"))
	}
}

// TestResumedMasterYieldsToABetterMaster: a daemon that resumes
// mastership while a better master already holds the VIP releases it as
// soon as it reads that master's advert; the better master keeps it.
func TestResumedMasterYieldsToABetterMaster(t *testing.T) {
	log := &haLog{}
	seg := newHASegment(log)
	lb2 := startHANode(t, seg, log, "lb2", "203.0.113.2", "priority: 200, preempt: true")
	eventually(t, "lb2 master with the VIP", func() bool { return vrrpState(t, lb2.socket) == "master" && lb2.holds(t) })
	lb1 := startHANodeWith(t, seg, log, "lb1", "203.0.113.1", "priority: 150, preempt: true", holdingVIP(t))
	eventually(t, "lb1 to yield", func() bool { return vrrpState(t, lb1.socket) == "backup" && !lb1.holds(t) })
	if !lb2.holds(t) || vrrpState(t, lb2.socket) != "master" {
		t.Fatalf("lb2 holds %v and is %s; log:\n%s", lb2.holds(t), vrrpState(t, lb2.socket), strings.Join(log.since(0), "\n"))
	}
}
