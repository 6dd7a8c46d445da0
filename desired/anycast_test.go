package desired

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// anycastNode is a node whose VIPs in 192.0.2.0/24 are anycast VIPs on anycast0.
const anycastNode = nodeYAML + `  bgp:
    asn: 4200000001
    router_id: 203.0.113.1
    interface: anycast0
    announce: [192.0.2.0/24]
    peers: [{address: 203.0.113.254, asn: 65000}]
`

// anycastServices has one anycast VIP (192.0.2.10) and one VIP outside
// node.bgp.announce (198.51.100.10), which follows VRRP.
const anycastServices = `services:
  - name: anycast
    vip: 192.0.2.10
    ports: [{proto: tcp, port: 80}]
    backends: [{address: 203.0.113.21}]
  - name: vrrp
    vip: 198.51.100.10
    ports: [{proto: tcp, port: 80}]
    backends: [{address: 203.0.113.22}]
`

// TestAnycastInterface: with node.bgp.interface, a VIP inside announce is
// held on it, and a VIP outside stays on the node's interface.
func TestAnycastInterface(t *testing.T) {
	cfg := mustLoad(t, writeDir(t, map[string]string{"node.yaml": anycastNode, "services.yaml": anycastServices}))
	if got := cfg.Node.BGP.Interface; got != "anycast0" {
		t.Fatalf("node.bgp.interface = %q", got)
	}
	var ifs []string
	for _, s := range cfg.Services {
		ifs = append(ifs, s.Name+"@"+s.Interface)
	}
	if want := []string{"anycast@anycast0", "vrrp@eth1"}; !slices.Equal(ifs, want) {
		t.Errorf("service interfaces = %v, want %v", ifs, want)
	}
	if !cfg.Node.AnycastVIP(netip.MustParseAddr("192.0.2.10")) || cfg.Node.AnycastVIP(netip.MustParseAddr("198.51.100.10")) {
		t.Error("AnycastVIP does not follow node.bgp.announce")
	}
}

// TestAnycastWithoutInterface: without node.bgp.interface no VIP is an
// anycast VIP; announced VIPs stay on the service's interface.
func TestAnycastWithoutInterface(t *testing.T) {
	node := nodeYAML + "  bgp:\n    asn: 4200000001\n    router_id: 203.0.113.1\n    announce: [192.0.2.0/24]\n" +
		"    peers: [{address: 203.0.113.254, asn: 65000}]\n"
	cfg := mustLoad(t, writeDir(t, map[string]string{"node.yaml": node, "services.yaml": anycastServices}))
	if cfg.Node.AnycastVIP(netip.MustParseAddr("192.0.2.10")) {
		t.Error("AnycastVIP is true without node.bgp.interface")
	}
	if cfg.Services[0].Interface != "eth1" {
		t.Errorf("announced VIP on %q, want eth1", cfg.Services[0].Interface)
	}
}

// TestAnycastInterfaceErrors: an anycast interface shared with the VIPs
// that ARP, or a service naming another interface for an anycast VIP, is
// refused with its position.
func TestAnycastInterfaceErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"shared with node.interface", map[string]string{"node.yaml": replaceOnce(anycastNode, "interface: anycast0", "interface: eth1")},
			[]string{`node.yaml:5:5: node.bgp.interface: "eth1" is also in node.interface: anycast VIPs need an interface of their own without ARP (like a dummy anycast0)`}},
		{"shared with the vrrp adverts", map[string]string{"node.yaml": anycastNode + "  vrrp: {vrid: 60, interface: anycast0}\n"},
			[]string{`node.yaml:5:5: node.bgp.interface: "anycast0" also carries the VRRP adverts of instance default: anycast VIPs need an interface of their own without ARP`}},
		{"bad name", map[string]string{"node.yaml": replaceOnce(anycastNode, "interface: anycast0", "interface: any/cast")},
			[]string{`node.yaml:7:16: node.bgp.interface: "any/cast" is not a network interface name (at most 15 characters, no '/', ':' or spaces)`}},
		{"service on another interface", map[string]string{"node.yaml": anycastNode,
			"services.yaml": replaceOnce(anycastServices, "    vip: 192.0.2.10\n", "    vip: 192.0.2.10\n    interface: eth1\n")},
			[]string{`services.yaml:2:5: services[0].interface: 192.0.2.10 is an anycast VIP (inside node.bgp.announce), held on node.bgp.interface "anycast0"; leave interface out`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadErrors(t, writeDir(t, tt.files))
			if !slices.Equal(got, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", join(got), join(tt.want))
			}
		})
	}
}

// replaceOnce replaces the first old in s, failing loudly when absent.
func replaceOnce(s, old, new string) string {
	if !strings.Contains(s, old) {
		panic("replaceOnce: " + old + " not in the text")
	}
	return strings.Replace(s, old, new, 1)
}

// TestAnycastVIPNeedsNoInstance: on a node with several VRRP instances, a
// service whose VIP is anycast (held whatever the VRRP state) loads
// without vrrp_instance and follows none, while a VIP outside announce
// still has to name the instance whose master holds it.
func TestAnycastVIPNeedsNoInstance(t *testing.T) {
	node := anycastNode + "  vrrp_instances:\n    - {name: a, vrid: 1}\n    - {name: b, vrid: 2}\n"
	services := replaceOnce(anycastServices, "    vip: 198.51.100.10\n", "    vip: 198.51.100.10\n    vrrp_instance: b\n")
	cfg := mustLoad(t, writeDir(t, map[string]string{"node.yaml": node, "services.yaml": services}))
	if got := []string{cfg.Services[0].VRRPInstance, cfg.Services[1].VRRPInstance}; !slices.Equal(got, []string{"", "b"}) {
		t.Fatalf("instances of the anycast and the VRRP service: %q, want none and b", got)
	}
	errs := loadErrors(t, writeDir(t, map[string]string{"node.yaml": node, "services.yaml": anycastServices}))
	if len(errs) != 1 || !strings.Contains(errs[0], "services[1].vrrp_instance: missing: the node has several VRRP instances (a, b)") {
		t.Fatalf("a VRRP VIP without vrrp_instance on a node with two instances: %q", errs)
	}
}
