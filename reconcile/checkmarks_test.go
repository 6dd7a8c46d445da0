package reconcile

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// checkNode reserves marks 60000-60003 for check services.
const checkNode = "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24, 2001:db8::/32]}, check_fwmarks: 60000-60003}\n"

// dsrService is a DR service with a dsr http check and the given backends.
func dsrService(name, vip string, backends ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  - name: %s\n    vip: %s\n    forward: dr\n    ports: [{proto: tcp, port: 80}]\n", name, vip)
	b.WriteString("    checks: [{type: http, mode: dsr, port: 80}]\n    backends:\n")
	for _, a := range backends {
		fmt.Fprintf(&b, "      - {address: %s}\n", a)
	}
	return b.String()
}

// checksConfig builds a config with checkNode and the services.
func checksConfig(t testing.TB, svcs ...string) desired.Config {
	return config(t, "node.yaml", checkNode, "svc.yaml", "services:\n"+strings.Join(svcs, ""))
}

// liveCheck is a live check service: mark, family, one destination.
func liveCheck(f kernel.Family, mark uint32, backend string, d kernel.DestinationConfig) kernel.Service {
	return kernel.Service{Key: kernel.NewFWMarkKey(f, mark), Config: kernel.ServiceConfig{Scheduler: "rr"},
		Destinations: []kernel.Destination{{Key: kernel.NewDestinationKey(netip.MustParseAddr(backend), 0), Config: d}}}
}

var dr = kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: 1}

func marksText(m CheckMarks) string {
	var parts []string
	for _, c := range m {
		parts = append(parts, fmt.Sprintf("%s/%s/%s=%d", c.Path.Family, c.Path.Backend, c.Path.Dest.Forward, c.Mark))
	}
	return strings.Join(parts, " ")
}

func TestAllocateCheckMarks(t *testing.T) {
	three := dsrService("web", "192.0.2.10", "198.51.100.1", "198.51.100.2", "198.51.100.3")
	tunnel := "  - name: tun\n    vip: 192.0.2.11\n    forward: tunnel\n    ports: [{proto: tcp, port: 80}]\n" +
		"    checks: [{type: tcp, mode: tunnel}]\n    backends: [{address: 198.51.100.1}]\n"
	v6 := "  - name: v6\n    vip: 2001:db8::10\n    forward: dr\n    ports: [{proto: tcp, port: 80}]\n" +
		"    checks: [{type: tcp, mode: dsr}]\n    backends: [{address: 2001:db8::1}]\n"
	plain := "  - name: plain\n    vip: 192.0.2.12\n    forward: dr\n    ports: [{proto: tcp, port: 80}]\n" +
		"    checks: [{type: tcp}]\n    backends: [{address: 198.51.100.9}]\n"
	cases := []struct {
		name    string
		svcs    []string
		live    []kernel.Service
		want    string
		missing int
	}{
		{"fresh: path order, lowest marks", []string{three}, nil,
			"inet/198.51.100.1/dr=60000 inet/198.51.100.2/dr=60001 inet/198.51.100.3/dr=60002", 0},
		{"plain checks need no mark", []string{plain}, nil, "", 0},
		{"live marks are kept (restart, reload)", []string{three},
			[]kernel.Service{liveCheck(kernel.IPv4, 60003, "198.51.100.1", dr), liveCheck(kernel.IPv4, 60000, "198.51.100.3", dr)},
			"inet/198.51.100.1/dr=60003 inet/198.51.100.2/dr=60001 inet/198.51.100.3/dr=60000", 0},
		{"a new backend avoids a stale service's mark", []string{dsrService("web", "192.0.2.10", "198.51.100.2")},
			[]kernel.Service{liveCheck(kernel.IPv4, 60000, "198.51.100.7", dr)},
			"inet/198.51.100.2/dr=60001", 0},
		{"stale marks are reused when nothing else is free", []string{three},
			[]kernel.Service{liveCheck(kernel.IPv4, 60000, "198.51.100.7", dr), liveCheck(kernel.IPv4, 60001, "198.51.100.8", dr),
				liveCheck(kernel.IPv4, 60002, "198.51.100.9", dr)},
			"inet/198.51.100.1/dr=60003 inet/198.51.100.2/dr=60000 inet/198.51.100.3/dr=60001", 0},
		{"a live service with other forwarding is not adopted", []string{dsrService("web", "192.0.2.10", "198.51.100.1")},
			[]kernel.Service{liveCheck(kernel.IPv4, 60000, "198.51.100.1", kernel.DestinationConfig{Forward: kernel.ForwardTunnel, Weight: 1})},
			"inet/198.51.100.1/dr=60001", 0},
		{"same backend, dr and tunnel: two paths; ipv6 its own family", []string{three, tunnel, v6}, nil,
			"inet/198.51.100.1/tunnel=60000 inet/198.51.100.1/dr=60001 inet/198.51.100.2/dr=60002 inet/198.51.100.3/dr=60003 (inet6/2001:db8::1 has none left)", 1},
		{"services outside the range are ignored", []string{dsrService("web", "192.0.2.10", "198.51.100.1")},
			[]kernel.Service{liveCheck(kernel.IPv4, 7, "198.51.100.1", dr)},
			"inet/198.51.100.1/dr=60000", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := buildUnchecked(t, tc.svcs)
			got, missing := allocateCheckMarks(cfg, kernel.Snapshot{Services: tc.live})
			want, _, _ := strings.Cut(tc.want, " (")
			if s := marksText(got); s != want || missing != tc.missing {
				t.Errorf("marks %q missing %d\nwant  %q missing %d", s, missing, want, tc.missing)
			}
			for _, m := range got {
				if mk, ok := got.Lookup(m.Path); !ok || mk != m.Mark {
					t.Errorf("Lookup(%v) = %d %v, want %d", m.Path, mk, ok, m.Mark)
				}
			}
		})
	}
}

// buildUnchecked builds the config; a config needing more marks than the
// range holds is built with a larger range and then narrowed, to test the
// allocator's own bound (desired rejects such configs).
func buildUnchecked(t *testing.T, svcs []string) desired.Config {
	t.Helper()
	node := strings.Replace(checkNode, "60000-60003", "60000-60009", 1)
	cfg := config(t, "node.yaml", node, "svc.yaml", "services:\n"+strings.Join(svcs, ""))
	cfg.Node.CheckFwmarks = desired.FwmarkRange{First: 60000, Last: 60003}
	return cfg
}
