package reconcile

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/desired"
)

// bgpConfig has two services on one IPv4 VIP, one on an IPv6 VIP, and a
// VRRP VIP outside node.bgp.announce.
func bgpConfig() desired.Config {
	vip4, vip6 := netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("2001:db8:10::10")
	return desired.Config{
		Node: desired.Node{Name: "lb1", BGP: &desired.BGP{ASN: 65001,
			Announce: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("2001:db8:10::/64")}}},
		Services: []desired.Service{
			{Name: "web-http", VIP: vip4},
			{Name: "web-https", VIP: vip4},
			{Name: "web6", VIP: vip6, IPv6: true},
			{Name: "vrrp-only", VIP: netip.MustParseAddr("198.51.100.5")},
			{Name: "mark", Fwmark: 7},
		},
	}
}

// renderRoutes prints one line per VIP: prefix, verdict, reason, up/all.
func renderRoutes(rs []VIPRoute) string {
	var b strings.Builder
	for _, r := range rs {
		verdict := "withdrawn"
		if r.Announce {
			verdict = "announced"
		}
		fmt.Fprintf(&b, "%s %s (%s) %d/%d\n", r.Prefix, verdict, r.Reason, r.Up, r.Services)
	}
	return b.String()
}

// TestBGPRoutes: the route health injection table.
func TestBGPRoutes(t *testing.T) {
	allHeld := map[netip.Addr]bool{netip.MustParseAddr("192.0.2.10"): true, netip.MustParseAddr("2001:db8:10::10"): true,
		netip.MustParseAddr("198.51.100.5"): true}
	up := func(names ...string) []ServiceStatus {
		var out []ServiceStatus
		for _, n := range names {
			out = append(out, ServiceStatus{Name: n, Up: true, Healthy: 1, Enabled: 1})
		}
		return out
	}
	allUp := up("web-http", "web-https", "web6", "vrrp-only")
	tests := []struct {
		name string
		in   BGPInputs
		want string
	}{
		{"all up", BGPInputs{Services: allUp, Healthy: true, Held: allHeld},
			"192.0.2.10/32 announced (announced) 2/2\n2001:db8:10::10/128 announced (announced) 1/1\n"},
		{"one of two services down: any keeps the VIP", BGPInputs{
			Services: append(up("web-https", "web6"), ServiceStatus{Name: "web-http", Enabled: 2}), Healthy: true, Held: allHeld},
			"192.0.2.10/32 announced (announced) 1/2\n2001:db8:10::10/128 announced (announced) 1/1\n"},
		{"every service of a VIP down", BGPInputs{
			Services: up("web6"), Healthy: true, Held: allHeld},
			"192.0.2.10/32 withdrawn (" + RouteNoServiceUp + ") 0/2\n2001:db8:10::10/128 announced (announced) 1/1\n"},
		{"states not known yet count as down", BGPInputs{Healthy: true, Held: allHeld},
			"192.0.2.10/32 withdrawn (" + RouteNoServiceUp + ") 0/2\n2001:db8:10::10/128 withdrawn (" + RouteNoServiceUp + ") 0/1\n"},
		{"up by watermarks that never go down, but no healthy backend", BGPInputs{
			Services: append(up("web6"), ServiceStatus{Name: "web-http", Up: true, Enabled: 2}, ServiceStatus{Name: "web-https", Up: true}),
			Healthy:  true, Held: allHeld},
			"192.0.2.10/32 withdrawn (" + RouteNoServiceUp + ") 0/2\n2001:db8:10::10/128 announced (announced) 1/1\n"},
		{"VIP not held (a VRRP backup, or not yet added)", BGPInputs{Services: allUp, Healthy: true,
			Held: map[netip.Addr]bool{netip.MustParseAddr("2001:db8:10::10"): true}},
			"192.0.2.10/32 withdrawn (" + RouteNotHeld + ") 2/2\n2001:db8:10::10/128 announced (announced) 1/1\n"},
		{"node unhealthy", BGPInputs{Services: allUp, Healthy: false, Held: allHeld},
			"192.0.2.10/32 withdrawn (" + RouteNodeUnhealthy + ") 2/2\n2001:db8:10::10/128 withdrawn (" + RouteNodeUnhealthy + ") 1/1\n"},
		{"drained wins over every other reason", BGPInputs{Services: nil, Healthy: false, Drained: true},
			"192.0.2.10/32 withdrawn (" + RouteDrained + ") 0/2\n2001:db8:10::10/128 withdrawn (" + RouteDrained + ") 0/1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Config = bgpConfig()
			got := renderRoutes(BGPRoutes(tt.in))
			if got != tt.want {
				t.Errorf("routes:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestBGPRoutesWithoutBGP: a node without node.bgp announces nothing.
func TestBGPRoutesWithoutBGP(t *testing.T) {
	cfg := bgpConfig()
	cfg.Node.BGP = nil
	if rs := BGPRoutes(BGPInputs{Config: cfg, Healthy: true}); rs != nil {
		t.Errorf("routes = %v, want none", rs)
	}
}

// TestAnnouncedPrefixes keeps the announced routes only, in order.
func TestAnnouncedPrefixes(t *testing.T) {
	rs := BGPRoutes(BGPInputs{Config: bgpConfig(), Services: []ServiceStatus{{Name: "web6", Up: true, Healthy: 1}}, Healthy: true,
		Held: HeldVIPsOf([]Address{{Prefix: netip.MustParsePrefix("192.0.2.10/32")}, {Prefix: netip.MustParsePrefix("2001:db8:10::10/128")}})})
	got := AnnouncedPrefixes(rs)
	if len(got) != 1 || got[0] != netip.MustParsePrefix("2001:db8:10::10/128") {
		t.Errorf("announced = %v", got)
	}
}
