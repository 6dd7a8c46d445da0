package anycasttest

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/internal/vmlab"
)

// The network: a bridge in the VM's root namespace joins the router, the
// load balancers and the backends; the client hangs off the router.
//
//	client  198.51.100.2-.9/24   default via the router's 198.51.100.1
//	router  198.51.100.1 (eth1), 203.0.113.254/24 (eth0); BIRD, ECMP to the
//	        load balancers, forwarding, fib_multipath_hash_policy=1
//	lb1-3   203.0.113.1-.3/24    seesaw-reconcile, VIP 192.0.2.10 on the
//	        dummy anycast0 (created by the daemon), arp_ignore=1,
//	        arp_announce=2, sloppy_tcp=1; default via the router
//	be1-3   203.0.113.21-.23/24  VIP on lo (DR), arp_ignore=1,
//	        arp_announce=2; replies to the client via the router
const (
	bridge   = "acbr0"
	routerNS = "ac-rtr"
	clientNS = "ac-client"
	routerIP = "203.0.113.254"
	vip      = "192.0.2.10"
)

var (
	lbNS       = [3]string{"ac-lb1", "ac-lb2", "ac-lb3"}
	lbIP       = [3]string{"203.0.113.1", "203.0.113.2", "203.0.113.3"}
	backendNS  = [3]string{"ac-be1", "ac-be2", "ac-be3"}
	backendIP  = [3]string{"203.0.113.21", "203.0.113.22", "203.0.113.23"}
	clientIPs  = []string{"198.51.100.2", "198.51.100.3", "198.51.100.4", "198.51.100.5", "198.51.100.6", "198.51.100.7", "198.51.100.8", "198.51.100.9"}
	allOnLAN   = append(append([]string{routerNS}, lbNS[:]...), backendNS[:]...)
	arpSysctls = []string{"net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2",
		"net.ipv4.conf.eth0.arp_ignore=1", "net.ipv4.conf.eth0.arp_announce=2"}
)

// rootLink is the name of the root end of ns's veth pair (the LAN port).
func rootLink(ns string) string { return "v" + strings.TrimPrefix(ns, "ac-") }

// buildNetwork creates the bridge and the namespaces; all are removed when t ends.
func buildNetwork(t *testing.T) {
	vmlab.Bridge(t, bridge)
	for _, ns := range append([]string{clientNS}, allOnLAN...) {
		vmlab.Namespace(t, ns)
	}
	for _, ns := range allOnLAN {
		vmlab.Attach(t, bridge, ns, rootLink(ns))
	}
	vmlab.Run(t, "ip", "-n", routerNS, "link", "add", "eth1", "type", "veth", "peer", "name", "eth0", "netns", clientNS)
	vmlab.Run(t, "ip", "-n", routerNS, "link", "set", "eth1", "up")
	vmlab.Run(t, "ip", "-n", clientNS, "link", "set", "eth0", "up")
	vmlab.Run(t, "ip", "-n", routerNS, "addr", "add", routerIP+"/24", "dev", "eth0")
	vmlab.Run(t, "ip", "-n", routerNS, "addr", "add", "198.51.100.1/24", "dev", "eth1")
	vmlab.Sysctls(t, routerNS, "net.ipv4.ip_forward=1", "net.ipv4.fib_multipath_hash_policy=1")
	for _, a := range clientIPs {
		vmlab.Run(t, "ip", "-n", clientNS, "addr", "add", a+"/24", "dev", "eth0")
	}
	vmlab.Run(t, "ip", "-n", clientNS, "route", "add", "default", "via", "198.51.100.1")
	for i, ns := range lbNS {
		vmlab.Run(t, "ip", "-n", ns, "addr", "add", lbIP[i]+"/24", "dev", "eth0")
		vmlab.Run(t, "ip", "-n", ns, "route", "add", "default", "via", routerIP)
		vmlab.Sysctls(t, ns, arpSysctls...)
		// A flow that ECMP moves to this node mid-way creates its IPVS
		// state from a non-SYN packet; mh sends it to the same backend.
		vmlab.Sysctls(t, ns, "net.ipv4.vs.sloppy_tcp=1")
	}
	for i, ns := range backendNS {
		vmlab.Run(t, "ip", "-n", ns, "addr", "add", backendIP[i]+"/24", "dev", "eth0")
		vmlab.Run(t, "ip", "-n", ns, "addr", "add", vip+"/32", "dev", "lo")
		vmlab.Sysctls(t, ns, arpSysctls...)
		vmlab.Run(t, "ip", "-n", ns, "route", "add", "default", "via", routerIP)
	}
}

// setLink sets the LAN port of ns up or down (a cable pulled or put back).
func setLink(t testing.TB, ns string, up bool) { vmlab.SetLinkUp(t, rootLink(ns), up) }

// checksFail makes lb i's health checks fail at every backend (their
// answers to lb i are dropped) or pass again; client traffic is unchanged.
func checksFail(t testing.TB, i int, fail bool) {
	t.Helper()
	for _, ns := range backendNS {
		op := map[bool]string{true: "add", false: "del"}[fail]
		out, err := exec.Command("ip", "-n", ns, "route", op, "blackhole", lbIP[i]+"/32").CombinedOutput()
		if err != nil && fail {
			t.Fatalf("ip -n %s route %s blackhole %s: %v: %s", ns, op, lbIP[i], err, out)
		}
	}
}

// ipvsConns returns the connections IPVS of ns has scheduled for the VIP
// service since it was created (ipvsadm --stats).
func ipvsConns(ns string) (int, error) {
	out, err := exec.Command("ip", "netns", "exec", ns, "ipvsadm", "-Ln", "--stats", "-t", vip+":80").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%s: ipvsadm --stats: %v: %s", ns, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == "TCP" {
			var n int
			_, err := fmt.Sscan(f[2], &n)
			return n, err
		}
	}
	return 0, fmt.Errorf("%s: no service line in ipvsadm --stats: %s", ns, out)
}

// activeDests counts the VIP service's destinations with a weight in ns.
func activeDests(ns string) int {
	out, err := exec.Command("ip", "netns", "exec", ns, "ipvsadm", "-Ln", "-t", vip+":80").CombinedOutput()
	if err != nil {
		return 0
	}
	n := 0
	for _, line := range strings.Split(string(out), "\n") {
		// "  -> 203.0.113.21:80   Route   1   0   0"
		if f := strings.Fields(line); len(f) >= 4 && f[0] == "->" && f[2] == "Route" && f[3] != "0" {
			n++
		}
	}
	return n
}
