package hatest

import (
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/internal/vmlab"
)

// The LAN: one bridge in the VM's root namespace; every namespace has eth0
// on it through a veth pair whose root end is named after the namespace.
//
//	client  203.0.113.2/24    on-link route to 192.0.2.0/24
//	lb1,lb2 192.0.2.251,.252  on-link route to 203.0.113.0/24, forwarding
//	be1-3   192.0.2.21-.23    VIP 192.0.2.10 on lo (DR), default route via
//	                          the floating gateway 192.0.2.1 (NAT replies);
//	                          replies from the DR VIP go on-link to the client
//
// The client sits in another subnet on the same wire, so NAT replies from
// the backends have to go through the master (which holds 192.0.2.1), while
// DR replies go straight to the client.
const (
	bridge    = "habr0"
	clientNS  = "ha-client"
	clientIP  = "203.0.113.2"
	gatewayIP = "192.0.2.1"
	drVIP     = "192.0.2.10"
	natVIP    = "192.0.2.20"
)

var (
	lbNS      = [2]string{"ha-lb1", "ha-lb2"}
	lbIP      = [2]string{"192.0.2.251", "192.0.2.252"}
	backendNS = [3]string{"ha-be1", "ha-be2", "ha-be3"}
	backendIP = [3]string{"192.0.2.21", "192.0.2.22", "192.0.2.23"}
)

// rootLink is the name of the root end of ns's veth pair (the LAN port).
func rootLink(ns string) string { return "v" + strings.TrimPrefix(ns, "ha-") }

// buildLAN creates the bridge and the namespaces; all are removed when t ends.
func buildLAN(t *testing.T) {
	vmlab.Bridge(t, bridge)
	for _, ns := range append(append([]string{clientNS}, lbNS[:]...), backendNS[:]...) {
		vmlab.Namespace(t, ns)
		vmlab.Attach(t, bridge, ns, rootLink(ns))
	}
	vmlab.Run(t, "ip", "-n", clientNS, "addr", "add", clientIP+"/24", "dev", "eth0")
	vmlab.Run(t, "ip", "-n", clientNS, "route", "add", "192.0.2.0/24", "dev", "eth0")
	for i, ns := range lbNS {
		vmlab.Run(t, "ip", "-n", ns, "addr", "add", lbIP[i]+"/24", "dev", "eth0")
		vmlab.Run(t, "ip", "-n", ns, "route", "add", "203.0.113.0/24", "dev", "eth0")
		vmlab.Sysctls(t, ns, "net.ipv4.ip_forward=1",
			// NAT replies leave by the interface they came in on: a
			// redirect would send the backend straight to the client.
			"net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.eth0.send_redirects=0")
	}
	for i, ns := range backendNS {
		vmlab.Run(t, "ip", "-n", ns, "addr", "add", backendIP[i]+"/24", "dev", "eth0")
		vmlab.Run(t, "ip", "-n", ns, "addr", "add", drVIP+"/32", "dev", "lo")
		vmlab.Sysctls(t, ns, "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2",
			"net.ipv4.conf.eth0.arp_ignore=1", "net.ipv4.conf.eth0.arp_announce=2",
			"net.ipv4.conf.all.accept_redirects=0", "net.ipv4.conf.eth0.accept_redirects=0")
		vmlab.Run(t, "ip", "-n", ns, "route", "add", "default", "via", gatewayIP, "dev", "eth0", "onlink")
		vmlab.Run(t, "ip", "-n", ns, "rule", "add", "from", drVIP, "lookup", "100")
		vmlab.Run(t, "ip", "-n", ns, "route", "add", "203.0.113.0/24", "dev", "eth0", "table", "100")
	}
}

// forgetNeighbours flushes the ARP caches of the client, the backends and
// the load balancers, so that no scenario inherits where the last one left
// them pointing.
func forgetNeighbours(t testing.TB) {
	for _, ns := range append(append([]string{clientNS}, lbNS[:]...), backendNS[:]...) {
		vmlab.Run(t, "ip", "-n", ns, "neigh", "flush", "all")
	}
}

// setLink sets the LAN port of ns up or down (a cable pulled or put back)
// without starting a process, so the pull stays on the advert phase the
// scenario pinned it to.
func setLink(t testing.TB, ns string, up bool) { vmlab.SetLinkUp(t, rootLink(ns), up) }
