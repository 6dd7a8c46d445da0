package daemon

import (
	"slices"
	"strings"
	"testing"
)

// TestPreemptingNodeWaitsForTheOldMaster: a better node that joins and
// preempts the master takes the VIP only after the old master dropped it
// (one advert interval later), so the two never hold it together.
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
	if del < 0 || add < 0 || add < del {
		t.Fatalf("preemption order: lb2 delete %d, lb1 add %d in\n%s", del, add, strings.Join(lines, "\n"))
	}
	if st := statusOf(t, lb1.socket); !st.VRRP.Active {
		t.Fatalf("lb1 master but not active: %+v", st.VRRP)
	}
}
