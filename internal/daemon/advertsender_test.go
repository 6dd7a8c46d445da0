package daemon

import (
	"net/netip"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
)

// TestVRRPConfigPassesAdvertSender: every value node.vrrp.advert_sender
// accepts reaches the virtual router and is one it accepts; none leaves
// the vrrp package's default.
func TestVRRPConfigPassesAdvertSender(t *testing.T) {
	for _, s := range append([]string{""}, desired.AdvertSenders()...) {
		cfg := desired.Config{
			Node: desired.Node{Interfaces: []string{"eth1"}, VRRP: &desired.VRRP{
				VRID: 60, Priority: 200, AdvertInterval: 100 * time.Millisecond, AdvertSender: s,
			}},
			Services: []desired.Service{{VIP: netip.MustParseAddr("192.0.2.80")}},
		}
		c, ok := vrrpConfig(cfg)
		if !ok {
			t.Fatal("vrrp section not mapped")
		}
		if c.AdvertSender != s {
			t.Errorf("advert_sender %q mapped as %q", s, c.AdvertSender)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("advert_sender %q: %v", s, err)
		}
	}
}
