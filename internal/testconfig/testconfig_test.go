package testconfig

import (
	"testing"

	"github.com/seesaw-lb/seesaw/desired"
)

// TestInstancesLoad: the fixture, written by Dir, loads, with each instance's keys and
// the node's extra keys taken.
func TestInstancesLoad(t *testing.T) {
	node := InstancesNode{Name: "lb2", Web: "priority: 150", DB: "garp_master_repeat: 3",
		Extra: "  vrrp_sync_groups: [{name: lvs, instances: [web, db]}]\n"}.String()
	cfg, err := desired.Load(Dir(t, map[string]string{"node.yaml": node, "svc.yaml": InstancesServices}))
	if err != nil {
		t.Fatalf("load %s:\n%s\n%s", err, node, InstancesServices)
	}
	is := cfg.Node.Instances()
	if cfg.Node.Name != "lb2" || len(is) != 2 || is[0].Name != "web" || is[0].VRID != 61 || is[0].Priority != 150 ||
		is[1].Name != "db" || is[1].VRID != 62 || is[1].GARP.Repeat != 3 || is[0].Interface != "eth1" ||
		len(cfg.Node.SyncGroups) != 1 || len(cfg.Services) != 2 || len(cfg.Addresses) != 1 {
		t.Fatalf("loaded node %+v, services %+v", cfg.Node, cfg.Services)
	}
	for _, s := range cfg.Services {
		if s.VRRPInstance != s.Name {
			t.Errorf("service %s follows instance %q, want its namesake", s.Name, s.VRRPInstance)
		}
	}
	if a := cfg.Addresses[0]; a.VRRPInstance != "db" {
		t.Errorf("floating address %+v follows %q, want db", a, a.VRRPInstance)
	}
}
