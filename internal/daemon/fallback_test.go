package daemon

import (
	"bufio"
	"net/netip"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// fallbackConfig is a service whose one backend is a and whose fallback
// 203.0.113.99 has weight 3.
func fallbackConfig() desired.Config {
	a := desired.Backend{Address: addrA, Weight: 1, Enabled: true}
	fb := desired.Fallback{Backend: desired.Backend{Address: netip.MustParseAddr("203.0.113.99"), Weight: 3, Enabled: true}, Idle: desired.IdleDrain}
	return desired.Config{Services: []desired.Service{withFallbacks(svc("web", "192.0.2.10", []desired.Check{tcpCheck(0, true)}, a), fb)}}
}

// TestStatusShowsFallbacks: status lists a fallback after the backends,
// marked as one, with its effective weight and reason, and counts the
// fallbacks in use.
func TestStatusShowsFallbacks(t *testing.T) {
	cfg := fallbackConfig()
	for _, tc := range []struct {
		backendUp bool
		inUse     int
		effective int32
		reason    string
	}{{false, 1, 3, "fallback"}, {true, 0, 0, "not in use"}} {
		h := reconcile.Health{reconcile.BackendKey{Service: "web", Backend: netip.AddrPortFrom(addrA, 0)}: tc.backendUp}
		out := reconcile.Compute(kernel.Snapshot{}, reconcile.Inputs{Config: cfg, Health: h})
		ls := reconcile.Status{Services: out.Target.Status, Target: out.Target}
		sr := serviceReports(cfg, overrides{}, h, ls, checkPlan{}, nil)
		if len(sr) != 1 || len(sr[0].Backends) != 2 {
			t.Fatalf("report %+v", sr)
		}
		b, f := sr[0].Backends[0], sr[0].Backends[1]
		if b.Fallback || !f.Fallback || f.Address != "203.0.113.99" || f.Weight != 3 || !f.Healthy {
			t.Fatalf("backend %+v, fallback %+v", b, f)
		}
		if sr[0].FallbackInUse != tc.inUse || f.Effective != tc.effective || f.Reason != tc.reason {
			t.Errorf("backend up %v: in use %d, fallback %d (%s), want %d, %d (%s)", tc.backendUp, sr[0].FallbackInUse,
				f.Effective, f.Reason, tc.inUse, tc.effective, tc.reason)
		}
	}
}

// TestDrainByHandTakesAFallbackOut: `drain ADDRESS` disables a fallback as
// it does a backend, so a service in need does not use it.
func TestDrainByHandTakesAFallbackOut(t *testing.T) {
	cfg := applyOverrides(fallbackConfig(), overrides{Drained: []string{"203.0.113.99"}})
	if cfg.Services[0].Fallback[0].Enabled {
		t.Fatal("the drained fallback is still enabled")
	}
	if !fallbackConfig().Services[0].Fallback[0].Enabled {
		t.Fatal("applyOverrides changed the config it was given")
	}
	h := reconcile.Health{reconcile.BackendKey{Service: "web", Backend: netip.AddrPortFrom(addrA, 0)}: false}
	out := reconcile.Compute(kernel.Snapshot{}, reconcile.Inputs{Config: cfg, Health: h})
	for _, d := range out.Target.Services[0].Destinations {
		if d.Key.Addr.String() == "203.0.113.99" {
			t.Fatalf("a fallback drained by hand is in the target: %+v", d)
		}
	}
}

// TestFallbackHealthMetric: seesaw_backend_healthy has a series for each
// fallback too, keyed by its address.
func TestFallbackHealthMetric(t *testing.T) {
	var b strings.Builder
	w := bufio.NewWriter(&b)
	fb := reconcile.BackendKey{Service: "web", Backend: netip.MustParseAddrPort("203.0.113.99:0")}
	if err := writeHealth(w, fallbackConfig(), reconcile.Health{fb: false}); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	for _, want := range []string{`seesaw_backend_healthy{backend="198.51.100.1",service="web"} 1`, `seesaw_backend_healthy{backend="203.0.113.99",service="web"} 0`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %s:\n%s", want, b.String())
		}
	}
}
