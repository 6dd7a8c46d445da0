package desired

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/internal/testconfig"
)

const twoInstancesNode = `node:
  name: lb1
  interface: [eth1, eth2]
  vrrp_instances:
    - name: web
      vrid: 61
      priority: 150
      sync_daemon: {sync_id: 3}
    - name: db
      vrid: 62
      interface: eth2
      garp_master_repeat: 2
  vrrp_sync_groups:
    - {name: lvs, instances: [web, db]}
`

const twoInstancesServices = testconfig.InstancesServiceList + `addresses:
  - {address: 192.0.2.50/24, vrrp_instance: db, interface: eth2}
  - {address: "2001:db8::50", vrrp_instance: web}
`

// TestVRRPInstancesLoad: node.vrrp_instances, sync groups, services and
// floating addresses naming their instances load with their defaults.
func TestVRRPInstancesLoad(t *testing.T) {
	cfg := mustLoad(t, writeDir(t, map[string]string{"node.yaml": twoInstancesNode, "svc.yaml": twoInstancesServices}))
	is := cfg.Node.Instances()
	if len(is) != 2 || is[0].Name != "web" || is[1].Name != "db" || cfg.Node.VRRP == nil || cfg.Node.VRRP.Name != "web" {
		t.Fatalf("instances %+v, node.VRRP %+v; want web then db, VRRP the first", is, cfg.Node.VRRP)
	}
	if is[0].Interface != "eth1" || is[1].Interface != "eth2" || is[0].SyncDaemon.Interface != "eth1" || is[1].GARP.Repeat != 2 {
		t.Fatalf("instance defaults: %+v", is)
	}
	if g, ok := cfg.Node.SyncGroupOf("db"); !ok || g.Name != "lvs" {
		t.Fatalf("sync group of db: %+v %v", g, ok)
	}
	if v, ok := cfg.Node.SyncDaemonInstance(); !ok || v.Name != "web" {
		t.Fatalf("sync daemon instance %q %v; want web", v.Name, ok)
	}
	for _, s := range cfg.Services {
		if s.VRRPInstance != s.Name {
			t.Errorf("service %s is on instance %q", s.Name, s.VRRPInstance)
		}
	}
	want := []FloatingAddress{
		{Prefix: netip.MustParsePrefix("2001:db8::50/128"), Interface: "eth1", VRRPInstance: "web"},
		{Prefix: netip.MustParsePrefix("192.0.2.50/24"), Interface: "eth2", VRRPInstance: "db"},
	}
	got := slices.Clone(cfg.Addresses)
	for i := range got {
		got[i].Source = Source{}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("addresses %+v\nwant %+v", got, want)
	}
}

// TestVRRPSectionIsTheDefaultInstance: today's node.vrrp is one instance
// named "default", which services and addresses take without naming it.
func TestVRRPSectionIsTheDefaultInstance(t *testing.T) {
	node := "node: {name: lb1, interface: eth1, vrrp: {vrid: 7}}\n"
	svc := "services:\n  - {name: web, vip: 192.0.2.10, ports: [{proto: tcp, port: 80}], backends: [{address: 198.51.100.1}]}\n" +
		"addresses: [192.0.2.60]\n"
	cfg := mustLoad(t, writeDir(t, map[string]string{"node.yaml": node, "svc.yaml": svc}))
	if is := cfg.Node.Instances(); len(is) != 1 || is[0].Name != DefaultInstance || cfg.Node.VRRP.VRID != 7 {
		t.Fatalf("instances %+v", is)
	}
	if cfg.Services[0].VRRPInstance != DefaultInstance || cfg.Addresses[0].VRRPInstance != DefaultInstance ||
		cfg.Addresses[0].Prefix != netip.MustParsePrefix("192.0.2.60/32") || cfg.Addresses[0].Interface != "eth1" {
		t.Fatalf("service %+v, addresses %+v", cfg.Services[0].VRRPInstance, cfg.Addresses)
	}
	// A standalone node holds floating addresses without an instance.
	cfg = mustLoad(t, writeDir(t, map[string]string{"node.yaml": nodeYAML, "svc.yaml": svc}))
	if cfg.Addresses[0].VRRPInstance != "" || cfg.Services[0].VRRPInstance != "" {
		t.Fatalf("standalone: service on %q, address on %q", cfg.Services[0].VRRPInstance, cfg.Addresses[0].VRRPInstance)
	}
}

// TestVRRPInstancesErrors: each mistake is reported at its file:line:col
// with what to do.
func TestVRRPInstancesErrors(t *testing.T) {
	inst := func(items string) string {
		return "node:\n  name: lb1\n  interface: eth1\n  vrrp_instances:\n" + items
	}
	svc := func(extra string) string {
		return "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n" + extra
	}
	two := "    - {name: a, vrid: 1}\n    - {name: b, vrid: 2}\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"both forms", map[string]string{"n.yaml": "node:\n  name: lb1\n  interface: eth1\n  vrrp: {vrid: 1}\n  vrrp_instances: [{name: a, vrid: 2}]\n"},
			"n.yaml:5:19: node.vrrp_instances: node.vrrp is already set"},
		{"no name", map[string]string{"n.yaml": inst("    - {vrid: 1}\n")}, "n.yaml:5:7: node.vrrp_instances[0].name: missing"},
		{"name in vrrp", map[string]string{"n.yaml": "node:\n  name: lb1\n  interface: eth1\n  vrrp: {name: x, vrid: 1}\n"},
			"n.yaml:4:10: node.vrrp.name: unknown key"},
		{"duplicate name", map[string]string{"n.yaml": inst("    - {name: a, vrid: 1}\n    - {name: a, vrid: 2}\n")},
			`n.yaml:6:7: node.vrrp_instances[1].name: instance "a" is already defined`},
		{"same router", map[string]string{"n.yaml": inst("    - {name: a, vrid: 1}\n    - {name: b, vrid: 1}\n")},
			`n.yaml:6:7: node.vrrp_instances[1].vrid: VRID 1 (ipv4) on eth1 is already instance "a"'s`},
		{"two sync daemons", map[string]string{"n.yaml": inst("    - {name: a, vrid: 1, sync_daemon: {}}\n    - {name: b, vrid: 2, sync_daemon: {}}\n")},
			`node.vrrp_instances[1].sync_daemon: instance "a" already configures the sync daemon`},
		{"empty list", map[string]string{"n.yaml": inst("    []\n")}, "node.vrrp_instances: empty"},
		{"group of one", map[string]string{"n.yaml": inst(two) + "  vrrp_sync_groups: [{name: g, instances: [a]}]\n"},
			"node.vrrp_sync_groups[0].instances: a sync group needs at least two instances"},
		{"group unknown member", map[string]string{"n.yaml": inst(two) + "  vrrp_sync_groups: [{name: g, instances: [a, c]}]\n"},
			`node.vrrp_sync_groups[0].instances[1]: no VRRP instance named "c" (the instances are a, b)`},
		{"two groups", map[string]string{"n.yaml": inst(two+"    - {name: c, vrid: 3}\n") +
			"  vrrp_sync_groups: [{name: g, instances: [a, b]}, {name: h, instances: [b, c]}]\n"},
			`instance "b" is already in sync group "g"`},
		{"groups without instances", map[string]string{"n.yaml": nodeYAML + "  vrrp_sync_groups: [{name: g, instances: [a, b]}]\n"},
			"a sync group needs VRRP instances"},
		{"service names none", map[string]string{"n.yaml": inst(two), "s.yaml": svc("")},
			"s.yaml:2:5: services[0].vrrp_instance: missing: the node has several VRRP instances (a, b)"},
		{"service names unknown", map[string]string{"n.yaml": inst(two), "s.yaml": svc("    vrrp_instance: c\n")},
			`s.yaml:2:5: services[0].vrrp_instance: no VRRP instance named "c" (the node's instances are a, b)`},
		{"standalone service names one", map[string]string{"n.yaml": nodeYAML, "s.yaml": svc("    vrrp_instance: a\n")},
			`instance "a": the node has no VRRP instances`},
		{"address names none", map[string]string{"n.yaml": inst(two), "s.yaml": "addresses: [192.0.2.50]\n"},
			"s.yaml:1:13: addresses[0].vrrp_instance: missing: the node has several VRRP instances"},
		{"address twice", map[string]string{"n.yaml": nodeYAML, "s.yaml": "addresses: [192.0.2.50, 192.0.2.50/24]\n"},
			"s.yaml:1:25: addresses[1].address: 192.0.2.50 is already listed at s.yaml:1:13"},
		{"address is a VIP", map[string]string{"n.yaml": nodeYAML, "s.yaml": svc("") + "addresses: [192.0.2.10]\n"},
			`192.0.2.10 is the VIP of service "web"`},
		{"address network", map[string]string{"n.yaml": nodeYAML, "s.yaml": "addresses: [192.0.2.0/24]\n"},
			`"192.0.2.0/24" is not a host address`},
		{"address garbage", map[string]string{"n.yaml": nodeYAML, "s.yaml": "addresses: [{address: 192.0.2.300}]\n"},
			`addresses[0].address: "192.0.2.300" is not an IP address`},
		{"address unknown interface", map[string]string{"n.yaml": nodeYAML, "s.yaml": "addresses: [{address: 192.0.2.5, interface: eth9}]\n"},
			`addresses[0].interface: "eth9" is not one of the node's interfaces`},
		{"address missing", map[string]string{"n.yaml": nodeYAML, "s.yaml": "addresses: [{interface: eth1}]\n"},
			"addresses[0].address: missing"},
		{"address unknown key", map[string]string{"n.yaml": nodeYAML, "s.yaml": "addresses: [{address: 192.0.2.5, dev: eth1}]\n"},
			"addresses[0].dev: unknown key"},
		{"tracked service of an instance", map[string]string{"n.yaml": inst("    - {name: a, vrid: 1, track: {services: [{name: nope, decrement: 10}]}}\n")},
			`node.vrrp_instances[0].track.services[0].name: no service named "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeDir(t, tc.files)
			lines := loadErrors(t, dir)
			for _, l := range lines {
				if strings.Contains(l, tc.want) {
					return
				}
			}
			t.Fatalf("no error line contains %q:\n%s", tc.want, join(lines))
		})
	}
}
