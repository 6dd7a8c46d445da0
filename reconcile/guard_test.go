package reconcile

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

func mustAP(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// tenServices returns a services YAML with n services 192.0.2.1..n.
func tenServices(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  - {name: s%d, vip: 192.0.2.%d, ports: [{proto: tcp, port: 80}], backends: [{address: 198.51.100.1}]}\n", i, i)
	}
	return b.String()
}

// shareOnly is the guard without its minimum count: the share alone decides.
var shareOnly = desired.MassDeleteGuard{MaxShare: 0.5}

// defaultGuard is the guard of a node that does not configure it.
var defaultGuard = desired.MassDeleteGuard{MaxShare: desired.DefaultMassDeleteShare, MinCount: desired.DefaultMassDeleteMin}

func TestGuard(t *testing.T) {
	_, c := fakeWith(t)
	converge(t, c, services(t, tenServices(10)), nil)
	live := snapshot(t, c)
	cases := []struct {
		keep      int
		guard     desired.MassDeleteGuard
		flag      bool
		held      bool
		wantWords string
	}{
		{9, shareOnly, false, false, ""},
		{5, shareOnly, false, false, ""},
		{4, shareOnly, false, true, "deletes 6 of 10 owned services (60%, limit 50%)"},
		{1, shareOnly, false, true, "deletes 9 of 10"},
		{1, desired.MassDeleteGuard{MaxShare: 0.5, Allow: true}, false, false, ""},
		{1, shareOnly, true, false, ""},
		// The minimum count: up to MinCount deletions pass whatever their share.
		{4, defaultGuard, false, true, "deletes 6 of 10 owned services (60%, limit 50%), more than the 5 always allowed"},
		{4, desired.MassDeleteGuard{MaxShare: 0.5, MinCount: 6}, false, false, ""},
		{0, defaultGuard, false, true, "deletes 10 of 10"}, // an emptied directory
	}
	for _, tc := range cases {
		cfg := config(t, "node.yaml", nodeYAML, "svc.yaml", "services: []\n")
		if tc.keep > 0 {
			cfg = services(t, tenServices(tc.keep))
		}
		p := guard(diff(live, effective(cfg, nil, true, nil), scopeOf(cfg)), tc.guard, tc.flag)
		if p.Held != tc.held || !strings.Contains(p.HeldReason, tc.wantWords) {
			t.Errorf("keep %d guard %+v flag %v: held=%v %q", tc.keep, tc.guard, tc.flag, p.Held, p.HeldReason)
		}
		applied, held := p.Count()[kernel.DeleteService], Plan{Steps: p.HeldSteps}.Count()[kernel.DeleteService]
		if tc.held && (applied != 0 || held != 10-tc.keep || len(p.HeldSteps) != held) {
			t.Errorf("keep %d: held plan applies %d deletions and holds %d steps (%d deletions)", tc.keep, applied, len(p.HeldSteps), held)
		}
		if !tc.held && (applied != 10-tc.keep || p.HeldSteps != nil) {
			t.Errorf("keep %d: plan deletes %d services, holds %d steps", tc.keep, applied, len(p.HeldSteps))
		}
	}
}

// TestGuardHoldsOnlyDeletions renders a held plan: the deletions of a
// truncated config are held back with their VIPs, while the weight change
// of a service that stays, a new service and a new port are applied.
func TestGuardHoldsOnlyDeletions(t *testing.T) {
	_, c := fakeWith(t)
	converge(t, c, services(t, tenServices(10)), nil)
	live := snapshot(t, c)
	yaml := strings.Replace(tenServices(2), "ports: [{proto: tcp, port: 80}]", "ports: [{proto: tcp, port: 80}, {proto: tcp, port: 443}]", 1) +
		"  - {name: s20, vip: 192.0.2.20, ports: [{proto: tcp, port: 80}], backends: [{address: 198.51.100.1}]}\n"
	cfg := services(t, yaml)
	h := Health{{Service: "s2", Backend: mustAP("198.51.100.1:0")}: false}
	p := guard(diff(live, effective(cfg, h, true, nil), scopeOf(cfg)), defaultGuard, false)
	want := `+ service tcp/192.0.2.1:443 wlc
+ service tcp/192.0.2.20:80 wlc
+ destination 198.51.100.1:443 in tcp/192.0.2.1:443 weight 1 forward nat
~ destination 198.51.100.1:80 in tcp/192.0.2.2:80 weight 1 -> 0 (unhealthy)
+ destination 198.51.100.1:80 in tcp/192.0.2.20:80 weight 1 forward nat
HELD BACK: mass-delete guard: plan deletes 8 of 10 owned services (80%, limit 50%), more than the 5 always allowed; the deletions are held back and those services keep their VIPs; allow them with node.mass_delete.allow or --allow-mass-delete
  held: - service tcp/192.0.2.3:80
  held: - service tcp/192.0.2.4:80
  held: - service tcp/192.0.2.5:80
  held: - service tcp/192.0.2.6:80
  held: - service tcp/192.0.2.7:80
  held: - service tcp/192.0.2.8:80
  held: - service tcp/192.0.2.9:80
  held: - service tcp/192.0.2.10:80
Held plan: services 2 to add, 0 to change, 0 to delete; destinations 2 to add, 1 to change, 0 to delete; 8 service deletions held back.
`
	if got := planText(t, p); got != want {
		t.Fatalf("held plan:\n%s\nwant:\n%s", got, want)
	}
	var js strings.Builder
	var jp JSONPlan
	if err := RenderJSON(&js, p); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(js.String()), &jp); err != nil {
		t.Fatal(err)
	}
	if !jp.Held || len(jp.Changes) != 5 || len(jp.HeldChanges) != 8 || jp.HeldChanges[0].Line != "- service tcp/192.0.2.3:80" {
		t.Fatalf("JSON of the held plan:\n%s", js.String())
	}
	var vips []string
	for _, a := range p.HeldVIPs() {
		vips = append(vips, a.String())
	}
	if want := "192.0.2.3 192.0.2.4 192.0.2.5 192.0.2.6 192.0.2.7 192.0.2.8 192.0.2.9 192.0.2.10"; strings.Join(vips, " ") != want {
		t.Fatalf("held VIPs %v, want %s", vips, want)
	}
	if pol := heldPolicy(cfg, p, true); !slices.Equal(pol.Keep, p.HeldVIPs()) {
		t.Fatalf("master keeps %v", pol.Keep)
	}
	if pol := heldPolicy(cfg, p, false); pol.Keep != nil {
		t.Fatalf("backup keeps %v", pol.Keep)
	}
}

// TestGuardFirstStartWithStrays: a fresh node whose table holds a few stray
// services in scope converges under the default guard (the only owned
// services are strays: 100% of them), while more strays than MinCount are
// held as a truncated config is.
func TestGuardFirstStartWithStrays(t *testing.T) {
	for _, tc := range []struct {
		strays int
		held   bool
	}{{1, false}, {5, false}, {6, true}} {
		var ops []kernel.Op
		for i := range tc.strays {
			k := kernel.NewServiceKey(kernel.TCP, netip.AddrFrom4([4]byte{192, 0, 2, byte(200 + i)}), 80)
			ops = append(ops, kernel.Op{Kind: kernel.AddService, Service: k, ServiceConfig: kernel.ServiceConfig{Scheduler: "rr"}})
		}
		_, c := fakeWith(t, ops...)
		out := Compute(snapshot(t, c), Inputs{Config: services(t, tenServices(3)), Master: true, Now: t0})
		if out.Plan.Held != tc.held || out.Plan.Owned != tc.strays {
			t.Fatalf("%d strays: held %v (%s), owned %d", tc.strays, out.Plan.Held, out.Plan.HeldReason, out.Plan.Owned)
		}
		if tc.held {
			continue
		}
		if c := out.Plan.Count(); c[kernel.DeleteService] != tc.strays || c[kernel.AddService] != 3 {
			t.Fatalf("%d strays: plan %v", tc.strays, c)
		}
	}
}
