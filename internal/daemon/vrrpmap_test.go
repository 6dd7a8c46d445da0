package daemon

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
)

func TestVRRPConfigPassesSourceAndKernelTiming(t *testing.T) {
	cfg := desired.Config{
		Node: desired.Node{Interfaces: []string{"eth1"}, VRRP: &desired.VRRP{
			VRID: 60, Priority: 200, AdvertInterval: 100 * time.Millisecond,
			Peers:         []netip.Addr{netip.MustParseAddr("192.0.2.252")},
			SourceAddress: netip.MustParseAddr("192.0.2.251"), KernelTimedAdverts: true,
			RealtimePriority: 40,
		}},
		Services: []desired.Service{{VIP: netip.MustParseAddr("192.0.2.80")}, {VIP: netip.MustParseAddr("2001:db8::80")}},
	}
	c, ok := vrrpConfig(cfg)
	if !ok {
		t.Fatal("vrrp section not mapped")
	}
	if c.Source != netip.MustParseAddr("192.0.2.251") || !c.KernelTimedAdverts || c.Interface != "eth1" {
		t.Fatalf("mapped source %v, kernel-timed %t, interface %q; want 192.0.2.251, true, eth1", c.Source, c.KernelTimedAdverts, c.Interface)
	}
	if c.RealtimePriority != 40 {
		t.Fatalf("mapped realtime priority %d, want 40", c.RealtimePriority)
	}
	if !slices.Equal(c.VIPs, []netip.Addr{netip.MustParseAddr("192.0.2.80")}) {
		t.Fatalf("VIPs %v, want the IPv4 service VIP only", c.VIPs)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("mapped config invalid: %v", err)
	}
}
