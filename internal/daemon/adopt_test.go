package daemon

import (
	"net/netip"
	"testing"

	"github.com/seesaw-lb/seesaw/checks"
	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// TestStartDownAndHold: a check starts down when a backend it decides was
// adopted down and none was adopted up (one shared with a backend that had
// traffic was up); the adopted-down backend stays unhealthy until its check
// rises, and is forgotten then.
func TestStartDownAndHold(t *testing.T) {
	a, b := desired.Backend{Address: addrA, Enabled: true}, desired.Backend{Address: addrB, Enabled: true}
	// web and api share the check of a (same target, same spec); b is web's alone.
	cfg := desired.Config{Services: []desired.Service{
		svc("api", "192.0.2.11", []desired.Check{tcpCheck(80, true)}, a),
		svc("web", "192.0.2.10", []desired.Check{tcpCheck(80, true)}, a, b),
	}}
	key := func(s string, addr netip.Addr) reconcile.BackendKey {
		return reconcile.BackendKey{Service: s, Backend: netip.AddrPortFrom(addr, 0)}
	}
	webA, apiA, webB := key("web", addrA), key("api", addrA), key("web", addrB)
	cases := []struct {
		name    string
		adopted reconcile.Health
		down    map[netip.Addr]bool // checks (by target) that start down
	}{
		{"fresh boot", nil, map[netip.Addr]bool{}},
		{"b drained", reconcile.Health{webA: true, apiA: true, webB: false}, map[netip.Addr]bool{addrB: true}},
		{"a drained in web, up in api", reconcile.Health{webA: false, apiA: true, webB: true}, map[netip.Addr]bool{}},
		{"a drained in both", reconcile.Health{webA: false, apiA: false}, map[netip.Addr]bool{addrA: true}},
		{"a drained in web, api unknown", reconcile.Health{webA: false}, map[netip.Addr]bool{addrA: true}},
	}
	for _, tc := range cases {
		p, err := planChecks(cfg, nil, checkIO{adopted: tc.adopted})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Checks {
			want := tc.down[c.Target.Address]
			if c.StartDown != want || (p.Initial[c.Key()] == checks.StateDown) != want {
				t.Errorf("%s: check of %s starts down %v (initial %v), want %v", tc.name, c.Target.Address, c.StartDown, p.Initial[c.Key()], want)
			}
		}
	}

	adopted := reconcile.Health{webA: true, webB: false}
	p, err := planChecks(cfg, nil, checkIO{adopted: adopted})
	if err != nil {
		t.Fatal(err)
	}
	h := healthOf(p, nil)
	holdAdopted(h, adopted, p.Waiting)
	if h[webB] || !h[webA] || len(adopted) != 1 {
		t.Fatalf("before b's check rises: health %v, adopted %v", h, adopted)
	}
	rose := map[checks.Key]checks.State{}
	for _, c := range p.Checks {
		rose[c.Key()] = checks.StateUp
	}
	h = healthOf(p, rose)
	holdAdopted(h, adopted, p.Waiting)
	if !h[webB] || len(adopted) != 0 {
		t.Fatalf("after b's check rose: health %v, adopted %v", h, adopted)
	}

	// A backend whose dsr check waits for its mark is held down meanwhile;
	// one that no check decides any more is forgotten.
	adopted = reconcile.Health{webB: false, key("gone", addrB): false}
	h = reconcile.Health{}
	holdAdopted(h, adopted, map[reconcile.BackendKey]bool{webB: true})
	if v, ok := h[webB]; !ok || v || len(adopted) != 1 {
		t.Fatalf("waiting for a mark: health %v, adopted %v", h, adopted)
	}
}
