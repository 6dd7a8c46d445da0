package daemon

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// haNodeFile is startHANode's node.yaml for name with vrrpKeys ("": none);
// adverts every 50 ms unless vrrpKeys set advert_interval.
func haNodeFile(name, vrrpKeys string) string {
	node := fmt.Sprintf("node: {name: %s, interface: eth1, scope: {prefixes: [192.0.2.0/24]}", name)
	if vrrpKeys != "" {
		if !strings.Contains(vrrpKeys, "advert_interval") {
			vrrpKeys += ", advert_interval: 50ms"
		}
		node += ", vrrp: {vrid: 51, sync_daemon: {sync_id: 51}, " + vrrpKeys + "}"
	}
	return node + "}\n"
}

// reload rewrites one file of n's config directory.
func (n *haNode) reload(t *testing.T, file, content string) {
	t.Helper()
	tmp := filepath.Join(n.dir, "."+file+".tmp")
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(n.dir, file)); err != nil {
		t.Fatal(err)
	}
}

func (n *haNode) holdsAddr(t *testing.T, addr string) bool {
	ps, err := n.addrs.List(context.Background(), "eth1")
	if err != nil {
		t.Fatal(err)
	}
	return slices.Contains(ps, netip.MustParsePrefix(addr+"/32"))
}

// twoServices is webFile(1) and a second service on 192.0.2.11.
const twoServices = "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n    scheduler: wrr\n" +
	"    backends: [{address: 198.51.100.1, weight: 1}, {address: 198.51.100.2}]\n" +
	"  - name: api\n    vip: 192.0.2.11\n    ports: [{proto: tcp, port: 443}]\n    backends: [{address: 198.51.100.3}]\n"

// noneOf fails t if any of lines is in got.
func noneOf(t *testing.T, what string, got []string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if slices.Contains(got, l) {
			t.Fatalf("%s: %q in\n%s", what, l, strings.Join(got, "\n"))
		}
	}
}

// TestVRRPReloadKeepsMastership: the vrrp section of a running pair is
// changed live. Priority, advert interval and preempt, and a VIP service
// added and removed, change no mastership: no priority-0 advert, the
// master never drops the VIP and the backup never takes it. A priority
// below the backup's, announced at once, lets the preempting backup take
// over with the usual handover (the old master drops the VIP before the
// new one adds it).
func TestVRRPReloadKeepsMastership(t *testing.T) {
	// 250 ms adverts: a busy host stalling a process for a few hundred ms
	// must not look like a failover.
	log := &haLog{}
	seg := newHASegment(log)
	lb1 := startHANode(t, seg, log, "lb1", "203.0.113.1", "priority: 150, preempt: false, advert_interval: 250ms")
	eventually(t, "lb1 master with the VIP", func() bool { return vrrpState(t, lb1.socket) == "master" && lb1.holds(t) })
	lb2 := startHANode(t, seg, log, "lb2", "203.0.113.2", "priority: 100, preempt: false, advert_interval: 250ms")
	eventually(t, "lb2 backup", func() bool { return vrrpState(t, lb2.socket) == "backup" })
	from := log.len()
	lb1.reload(t, "node.yaml", haNodeFile("lb1", "priority: 160, advert_interval: 300ms, preempt: true"))
	eventually(t, "lb1 at priority 160", func() bool { return statusOf(t, lb1.socket).VRRP.Priority == 160 })
	lb1.reload(t, "web.yaml", twoServices)
	eventually(t, "lb1 to add the new VIP", func() bool { return lb1.holdsAddr(t, "192.0.2.11") })
	lb2.reload(t, "web.yaml", twoServices)
	lb2.reload(t, "node.yaml", haNodeFile("lb2", "priority: 120, preempt: true, advert_interval: 300ms"))
	eventually(t, "lb2 at priority 120", func() bool { return statusOf(t, lb2.socket).VRRP.Priority == 120 })
	lb1.reload(t, "web.yaml", webFile(1))
	eventually(t, "lb1 to remove the old VIP", func() bool { return !lb1.holdsAddr(t, "192.0.2.11") })
	time.Sleep(time.Second) // several advert intervals for a spurious change to show
	if vrrpState(t, lb1.socket) != "master" || vrrpState(t, lb2.socket) != "backup" || !lb1.holds(t) || lb2.holds(t) {
		t.Fatalf("after live changes: lb1 %s holds %v, lb2 %s holds %v", vrrpState(t, lb1.socket), lb1.holds(t),
			vrrpState(t, lb2.socket), lb2.holds(t))
	}
	noneOf(t, "a live change moved mastership", log.since(from),
		"lb1 advert 0", "lb2 advert 0", "lb1 delete 192.0.2.10/32", "lb2 add 192.0.2.10/32", "lb2 add 192.0.2.11/32")

	from = log.len()
	lb1.reload(t, "node.yaml", haNodeFile("lb1", "priority: 110, advert_interval: 300ms, preempt: true"))
	eventually(t, "lb2 to preempt", func() bool { return vrrpState(t, lb2.socket) == "master" && lb2.holds(t) })
	eventually(t, "lb1 backup", func() bool { return vrrpState(t, lb1.socket) == "backup" && !lb1.holds(t) })
	lines := log.since(from)
	del, add := slices.Index(lines, "lb1 delete 192.0.2.10/32"), slices.Index(lines, "lb2 add 192.0.2.10/32")
	if del < 0 || add < 0 || add < del {
		t.Fatalf("handover after a lower priority: lb1 delete %d, lb2 add %d in\n%s", del, add, strings.Join(lines, "\n"))
	}
}

// TestVRRPSectionAddedAndRemovedLive: removing node.vrrp makes a master
// standalone without ever dropping its VIP; adding it back makes the node
// join the virtual router as master at once (it holds the VIPs), again
// without dropping it; a new VRID is a new virtual router.
func TestVRRPSectionAddedAndRemovedLive(t *testing.T) {
	log := &haLog{}
	lb := startHANode(t, newHASegment(log), log, "lb1", "203.0.113.1", "priority: 150")
	eventually(t, "lb1 master with the VIP", func() bool { return vrrpState(t, lb.socket) == "master" && lb.holds(t) })
	from := log.len()
	lb.reload(t, "node.yaml", haNodeFile("lb1", ""))
	eventually(t, "lb1 standalone", func() bool { return vrrpState(t, lb.socket) == "standalone" })
	time.Sleep(200 * time.Millisecond)
	if !lb.holds(t) || !statusOf(t, lb.socket).VRRP.Active {
		t.Fatalf("standalone after vrrp removed: holds the VIP %v, status %+v", lb.holds(t), statusOf(t, lb.socket).VRRP)
	}
	lb.reload(t, "node.yaml", haNodeFile("lb1", "priority: 150"))
	eventually(t, "lb1 master again", func() bool { return vrrpState(t, lb.socket) == "master" })
	time.Sleep(200 * time.Millisecond)
	if !lb.holds(t) {
		t.Fatal("lb1 does not hold the VIP after joining")
	}
	noneOf(t, "switching between standalone and VRRP dropped the VIP", log.since(from), "lb1 delete 192.0.2.10/32")

	lb.reload(t, "node.yaml", strings.Replace(haNodeFile("lb1", "priority: 150"), "vrid: 51", "vrid: 52", 1))
	eventually(t, "lb1 master of VRID 52", func() bool {
		st := statusOf(t, lb.socket).VRRP
		return st.State == "master" && lb.holds(t)
	})
}
