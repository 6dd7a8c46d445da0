package vrrp

import (
	"net/netip"
	"testing"
	"time"
)

// rival sends adverts of VRID 60 from its own address on seg, as another
// router of the virtual router would.
func rival(t *testing.T, seg *segment, addr string, prio uint8) {
	t.Helper()
	a := Advert{VRID: 60, Priority: prio, Interval: 10, Addrs: []netip.Addr{vip4}}
	if err := seg.attach(addr).Send(a); err != nil {
		t.Fatal(err)
	}
}

// waitReceived waits until n has counted want valid adverts.
func waitReceived(t *testing.T, n *Node, want uint64) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); n.Stats().Received < want; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("received %d adverts, want %d", n.Stats().Received, want)
		}
	}
}

// TestMasterReportsLowerPriorityAdverts: a Master that reads the advert of
// a router it outranks (a lower priority, or the same from a lower
// address) reports that router and stays Master; the reports coalesce to
// the latest while no one takes them, and every advert is counted.
func TestMasterReportsLowerPriorityAdverts(t *testing.T) {
	seg := &segment{}
	n, ev := startNode(t, testConfig(200), seg.attach("192.0.2.11"))
	waitState(t, ev, Master)
	select {
	case src := <-n.LowerPriorityAdverts():
		t.Fatalf("a report from %v before any other router spoke", src)
	default:
	}

	rival(t, seg, "192.0.2.12", 100)
	select {
	case src := <-n.LowerPriorityAdverts():
		if src != netip.MustParseAddr("192.0.2.12") {
			t.Fatalf("reported %v, want 192.0.2.12", src)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no report of a lower-priority advert")
	}

	rival(t, seg, "192.0.2.13", 150)
	rival(t, seg, "192.0.2.5", 200) // the same priority from a lower address
	waitReceived(t, n, 3)
	select {
	case src := <-n.LowerPriorityAdverts():
		if src != netip.MustParseAddr("192.0.2.5") {
			t.Fatalf("reported %v, want the latest, 192.0.2.5", src)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no report")
	}
	select {
	case src := <-n.LowerPriorityAdverts():
		t.Fatalf("a second report, %v, of coalesced adverts", src)
	default:
	}
	if s := n.Stats(); s.LowerPriorityAdverts != 3 || s.State != Master || s.Transitions["backup->master"] != 1 || len(s.Transitions) != 2 {
		t.Fatalf("want 3 lower-priority adverts counted and no change from Master; stats %+v", s)
	}
}

// TestMasterDoesNotReportBetterAdverts: an advert of a better router (a
// higher priority, or the same from a higher address) makes a Master
// Backup and is not reported as a lower-priority one.
func TestMasterDoesNotReportBetterAdverts(t *testing.T) {
	for _, tc := range []struct {
		name, addr string
		prio       uint8
	}{
		{"higher priority", "192.0.2.12", 250},
		{"same priority, higher address", "192.0.2.99", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seg := &segment{}
			n, ev := startNode(t, testConfig(200), seg.attach("192.0.2.11"))
			waitState(t, ev, Master)
			rival(t, seg, tc.addr, tc.prio)
			waitState(t, ev, Backup)
			select {
			case src := <-n.LowerPriorityAdverts():
				t.Fatalf("a better router's advert reported as lower-priority: %v", src)
			default:
			}
			if s := n.Stats(); s.LowerPriorityAdverts != 0 {
				t.Fatalf("counted %d lower-priority adverts", s.LowerPriorityAdverts)
			}
		})
	}
}
