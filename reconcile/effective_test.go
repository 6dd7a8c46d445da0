package reconcile

import (
	"net/netip"
	"testing"

	"github.com/seesaw-lb/seesaw/kernel"
)

const webYAML = `
  - name: web
    vip: 192.0.2.10
    ports: [{proto: tcp, port: 80}, {proto: tcp, port: 443}]
    scheduler: wrr
    forward: dr
    persistence: {timeout: 300s}
    backends:
      - {address: 198.51.100.21, weight: 10}
      - {address: 198.51.100.22, weight: 20}
      - {address: 198.51.100.23, weight: 30, enabled: false}
`

func TestEffectiveServicesAndGating(t *testing.T) {
	cfg := services(t, webYAML)
	b22 := BackendKey{Service: "web", Backend: netip.MustParseAddrPort("198.51.100.22:0")}
	tg := effective(cfg, Health{b22: false}, true, nil)
	if len(tg.Services) != 2 {
		t.Fatalf("got %d services, want 2 (one per port)", len(tg.Services))
	}
	s := tg.Services[0]
	if s.Key.String() != "tcp/192.0.2.10:80" || s.Config.Scheduler != "wrr" ||
		s.Config.Flags != kernel.FlagPersistent || s.Config.Timeout != 300 {
		t.Fatalf("service 0 = %+v", s)
	}
	want := []struct {
		dest   string
		weight uint32
		reason string
	}{
		{"198.51.100.21:80", 10, "healthy"},
		{"198.51.100.22:80", 0, "unhealthy"},
		{"198.51.100.23:80", 0, "disabled"},
	}
	if len(s.Destinations) != len(want) {
		t.Fatalf("destinations = %+v", s.Destinations)
	}
	for i, w := range want {
		d := s.Destinations[i]
		if d.Key.String() != w.dest || d.Config.Weight != w.weight || d.Reason.String() != w.reason || d.Config.Forward != kernel.ForwardDirect {
			t.Errorf("destination %d = %v %+v %q, want %+v", i, d.Key, d.Config, d.Reason, w)
		}
	}
	if got := tg.Services[1].Destinations[0].Key.String(); got != "198.51.100.21:443" {
		t.Errorf("port-443 destination = %s", got)
	}
}

func TestEffectiveOnUnhealthyRemove(t *testing.T) {
	cfg := services(t, `
  - name: api
    vip: 192.0.2.11
    ports: [{proto: tcp, port: 8080}]
    on_unhealthy: remove
    backends:
      - {address: 198.51.100.31, port: 9000}
      - {address: 198.51.100.32, port: 9000}
`)
	bad := BackendKey{Service: "api", Backend: netip.MustParseAddrPort("198.51.100.32:9000")}
	s := effective(cfg, Health{bad: false}, true, nil).Services[0]
	if len(s.Destinations) != 1 || s.Destinations[0].Key.String() != "198.51.100.31:9000" {
		t.Fatalf("destinations = %+v", s.Destinations)
	}
	if len(s.Removed) != 1 || s.Removed[0].String() != "198.51.100.32:9000" {
		t.Fatalf("removed = %v", s.Removed)
	}
}

func TestEffectiveUnknownHealthFollowsInitialUp(t *testing.T) {
	cfg := services(t, `
  - name: web
    vip: 192.0.2.12
    ports: [{proto: tcp, port: 80}]
    checks: [{type: tcp, initial: down}]
    backends: [{address: 198.51.100.21}]
`)
	s := effective(cfg, nil, true, nil).Services[0]
	if d := s.Destinations[0]; d.Config.Weight != 0 || d.Reason != ReasonUnhealthy {
		t.Fatalf("unknown health with initial_up false: %+v %q", d.Config, d.Reason)
	}
}

func TestEffectiveFwmarkService(t *testing.T) {
	cfg := config(t, "node.yaml", "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24], fwmarks: [100-199]}}\n",
		"svc.yaml", `services:
  - name: shop
    fwmark: 100
    vip: 192.0.2.20
    ports: [{proto: tcp, port: 80}, {proto: tcp, port: 443}]
    scheduler: rr
    backends: [{address: 198.51.100.21}]
`)
	tg := effective(cfg, nil, true, nil)
	if len(tg.Services) != 1 || tg.Services[0].Key != kernel.NewFWMarkKey(kernel.IPv4, 100) {
		t.Fatalf("services = %+v", tg.Services)
	}
	if d := tg.Services[0].Destinations[0]; d.Key.Port != 0 {
		t.Errorf("fwmark destination port = %d, want 0", d.Key.Port)
	}
	if len(tg.Addresses) != 1 || tg.Addresses[0].Prefix.String() != "192.0.2.20/32" || tg.Addresses[0].Interface != "eth1" {
		t.Errorf("addresses = %+v", tg.Addresses)
	}
}

func TestEffectiveAddressesOnlyWhenMaster(t *testing.T) {
	cfg := services(t, webYAML+`
  - name: dns
    vip: 192.0.2.10
    ports: [{proto: udp, port: 53}]
    backends: [{address: 198.51.100.53}]
`)
	if got := effective(cfg, nil, false, nil).Addresses; len(got) != 0 {
		t.Fatalf("backup holds addresses %v", got)
	}
	got := effective(cfg, nil, true, nil).Addresses
	if len(got) != 1 || got[0] != (Address{Interface: "eth1", Prefix: netip.MustParsePrefix("192.0.2.10/32")}) {
		t.Fatalf("master addresses = %v, want one 192.0.2.10/32 on eth1 (shared VIP once)", got)
	}
	// IPVS stays programmed on a backup (hot standby).
	if n := len(effective(cfg, nil, false, nil).Services); n != 3 {
		t.Fatalf("backup has %d services, want 3", n)
	}
}
