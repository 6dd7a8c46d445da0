package daemon

import (
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// TestDaemonsInNamespacesReloadVRRP: two daemons with real VRRP sockets
// in namespaces; their vrrp sections change live (priorities, preempt,
// advert interval on both, a VIP service added): for 2 s after each
// change, sampled every 20 ms, neither changes state. Then the master's
// priority drops below the backup's (preempting): the backup takes over.
func TestDaemonsInNamespacesReloadVRRP(t *testing.T) {
	testenv.RequireNetNS(t)
	ns := netnsPair(t)
	dirs := [2]string{
		writeConfig(t, map[string]string{"node.yaml": netnsNode("lb1", 53, "priority: 150, preempt: false"), "web.yaml": webFile(1)}),
		writeConfig(t, map[string]string{"node.yaml": netnsNode("lb2", 53, "priority: 100, preempt: false"), "web.yaml": webFile(1)}),
	}
	s1, _, _ := netnsDaemonIn(t, ns[0], "lb1", dirs[0])
	eventually(t, "lb1 master", func() bool { return vrrpState(t, s1) == "master" })
	s2, _, _ := netnsDaemonIn(t, ns[1], "lb2", dirs[1])
	if m, _ := elected(t, s1, s2); m != s1 {
		t.Fatal("lb2 elected master")
	}
	write := func(i int, file, content string) {
		t.Helper()
		replaceFile(t, dirs[i], file, content)
	}
	steady := func(what string) {
		t.Helper()
		for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			if a, b := vrrpState(t, s1), vrrpState(t, s2); a != "master" || b != "backup" {
				t.Fatalf("%s: lb1 %s, lb2 %s", what, a, b)
			}
		}
	}
	write(0, "node.yaml", netnsNode("lb1", 53, "priority: 160, preempt: true"))
	eventually(t, "lb1 at 160", func() bool { return statusOf(t, s1).VRRP.Priority == 160 })
	steady("lb1's priority and preempt")
	write(1, "node.yaml", netnsNode("lb2", 53, "priority: 120, preempt: true"))
	eventually(t, "lb2 at 120", func() bool { return statusOf(t, s2).VRRP.Priority == 120 })
	steady("lb2's priority and preempt")
	write(0, "web.yaml", twoServices)
	write(1, "web.yaml", twoServices)
	steady("a VIP service added")
	write(0, "node.yaml", netnsNode("lb1", 53, "priority: 160, preempt: true, advert_interval: 200ms"))
	write(1, "node.yaml", netnsNode("lb2", 53, "priority: 120, preempt: true, advert_interval: 200ms"))
	steady("the advert interval")

	write(0, "node.yaml", netnsNode("lb1", 53, "priority: 110, preempt: true, advert_interval: 200ms"))
	eventually(t, "lb2 to preempt", func() bool { return vrrpState(t, s2) == "master" && vrrpState(t, s1) == "backup" })
}
