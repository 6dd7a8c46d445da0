package daemon

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel/checkpath"
)

// HostCheck is one kernel setting an anycast node depends on, as read on
// this host. A failed check is a warning (log, status, metric), never a
// reason to stop: the node still serves, but not as it should.
type HostCheck struct {
	// Setting is the sysctl in dotted form, e.g. net.ipv4.conf.eth0.arp_ignore.
	// The kernel uses the larger of the interface's value and "all"'s:
	// Value is that effective value.
	Setting string `json:"setting"`
	Value   string `json:"value"`
	// Want is what the node needs, e.g. ">= 1" or "0 or 2".
	Want string `json:"want"`
	OK   bool   `json:"ok"`
	// Why says what goes wrong when the check fails.
	Why string `json:"why"`
}

// hostRule is one setting checked on every interface facing the routers.
type hostRule struct {
	name string
	want string
	ok   func(v int) bool
	why  string
}

// anycastRules are the settings of node.interface a node with anycast
// VIPs (node.bgp.interface) needs: the VIPs are local addresses of the
// node, so without them the router-facing interfaces would answer ARP for
// the VIPs and use them as ARP sources, and strict reverse-path filtering
// drops requests that arrive from a router other than the one the route
// back to the client points at. ip_forward is not needed (IPVS forwards
// DR, tunnel and NAT from the INPUT path).
var anycastRules = []hostRule{
	{"arp_ignore", ">= 1", func(v int) bool { return v >= 1 },
		"the interface answers ARP for the anycast VIPs, which are local addresses: the segment could send VIP traffic here without a route"},
	{"arp_announce", ">= 2", func(v int) bool { return v >= 2 },
		"ARP requests from the interface may carry an anycast VIP as their source, teaching the segment a wrong owner"},
	{"rp_filter", "0 or 2", func(v int) bool { return v == 0 || v == 2 },
		"strict reverse-path filtering drops requests that arrive through a router other than the route back to the client (ECMP from several routers)"},
}

// anycastHostChecks checks the host settings anycast VIPs need on each of
// node.interface, reading the sysctls (e.g. net/ipv4/conf/all/arp_ignore)
// from sys. It returns nil for a node without node.bgp.interface. It reads
// sys and writes nothing.
func anycastHostChecks(cfg desired.Config, sys checkpath.Sysctls) []HostCheck {
	if cfg.Node.BGP == nil || cfg.Node.BGP.Interface == "" || sys == nil {
		return nil
	}
	var out []HostCheck
	for _, ifname := range cfg.Node.Interfaces {
		for _, r := range anycastRules {
			c := HostCheck{Setting: "net.ipv4.conf." + ifname + "." + r.name, Want: r.want, Why: r.why}
			v, err := effectiveSysctl(sys, ifname, r.name)
			if err != nil {
				c.Value = "unreadable: " + err.Error()
			} else {
				c.Value, c.OK = strconv.Itoa(v), r.ok(v)
			}
			out = append(out, c)
		}
	}
	return out
}

// effectiveSysctl is the value the kernel uses for an IPv4 conf setting
// of ifname: the larger of "all"'s and the interface's (true of
// arp_ignore, arp_announce and rp_filter).
func effectiveSysctl(sys checkpath.Sysctls, ifname, name string) (int, error) {
	v := -1
	for _, scope := range []string{"all", ifname} {
		path := "net/ipv4/conf/" + scope + "/" + name
		s, err := sys.Get(path)
		if err != nil {
			return 0, err
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return 0, fmt.Errorf("sysctl %s is %q, not a number", path, s)
		}
		v = max(v, n)
	}
	return v, nil
}

// failedHostChecks returns the checks that failed.
func failedHostChecks(cs []HostCheck) []HostCheck {
	var out []HostCheck
	for _, c := range cs {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}
