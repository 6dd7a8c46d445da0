package daemon

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"testing"

	"github.com/seesaw-lb/seesaw/desired"
)

// TestVRRPMemoEqualsConfigs: along random config changes (VIPs and
// instances moved, services added and removed, weights edited), the
// remembered virtual-router settings equal those of each config, and are
// reused for the changes that move no address.
func TestVRRPMemoEqualsConfigs(t *testing.T) {
	reused := 0
	for seed := range uint64(10) {
		r := rand.New(rand.NewPCG(seed, 4))
		is := []desired.VRRP{{Name: "a", VRID: 1, Interface: "eth1"}, {Name: "b", VRID: 2, Interface: "eth1"}}
		cfg := desired.Config{Node: desired.Node{Name: "lb1", Interfaces: []string{"eth1"}, VRRP: &is[0], VRRPInstances: is}}
		svc := func(i int) desired.Service {
			return desired.Service{Name: fmt.Sprintf("s%02d", i), VIP: netip.AddrFrom4([4]byte{192, 0, 2, byte(1 + r.IntN(6))}),
				VRRPInstance: []string{"a", "b"}[r.IntN(2)], Backends: []desired.Backend{{Weight: 1}}}
		}
		for i := range 10 {
			cfg.Services = append(cfg.Services, svc(i))
		}
		var m vrrpMemo
		for step := range 50 {
			cfg.Services = slices.Clone(cfg.Services)
			i := r.IntN(len(cfg.Services))
			switch r.IntN(6) {
			case 0:
				cfg.Services[i].VIP = netip.AddrFrom4([4]byte{192, 0, 2, byte(1 + r.IntN(6))})
			case 1:
				cfg.Services[i].VRRPInstance = []string{"a", "b"}[r.IntN(2)]
			case 2:
				if len(cfg.Services) > 2 {
					cfg.Services = slices.Delete(cfg.Services, i, i+1)
				}
			default: // a weight: no address moves
				cfg.Services[i].Backends = []desired.Backend{{Weight: int32(r.IntN(9))}}
			}
			if m.ok && desired.SameAddressing(m.cfg, cfg) {
				reused++
			}
			if got, want := m.configs(cfg), vrrpConfigs(cfg); !reflect.DeepEqual(got, want) {
				t.Fatalf("seed %d step %d: remembered\n%+v\nwant\n%+v", seed, step, got, want)
			}
		}
	}
	if reused < 150 || reused > 450 {
		t.Fatalf("reused %d times of 500: the generator no longer covers both paths", reused)
	}
}
