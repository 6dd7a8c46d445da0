package reconcile

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/kernel"
)

// randomServices returns a services YAML of up to 6 services drawn from a
// small space, so that random pairs share, change and drop entries.
func randomServices(r *rand.Rand) string {
	var b strings.Builder
	scheds := []string{"rr", "wrr", "wlc", "sh"}
	fwds := []string{"nat", "dr"}
	slots := r.Perm(8) // distinct (VIP, port) pairs
	for i := range r.IntN(7) {
		fmt.Fprintf(&b, "  - name: s%d\n    vip: 192.0.2.%d\n    ports: [{proto: tcp, port: %d}]\n    scheduler: %s\n    forward: %s\n",
			i, 1+slots[i]/2, 80+slots[i]%2, scheds[r.IntN(len(scheds))], fwds[r.IntN(len(fwds))])
		if r.IntN(2) == 0 {
			fmt.Fprintf(&b, "    persistence: {timeout: %ds}\n", 60*(1+r.IntN(3)))
		}
		b.WriteString("    backends:\n")
		for j := range 1 + r.IntN(4) {
			fmt.Fprintf(&b, "      - {address: 198.51.100.%d, weight: %d, enabled: %v}\n", 10*i+j+1, r.IntN(5), r.IntN(4) != 0)
		}
	}
	if b.Len() == 0 {
		return "  []\n"
	}
	return b.String()
}

// TestRandomConvergence: from any live table (random configs applied in
// turn, plus hand-made entries inside and outside the scope), one plan
// reaches the config, a second plan is empty, and nothing outside the scope
// changes. Fixed seeds: the same cases every run.
func TestRandomConvergence(t *testing.T) {
	outside := kernel.NewServiceKey(kernel.TCP, netip.MustParseAddr("203.0.113.9"), 80)
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 1))
		_, c := fakeWith(t, kernel.Op{Kind: kernel.AddService, Service: outside, ServiceConfig: kernel.ServiceConfig{Scheduler: "rr"}})
		for step := range 4 {
			y := randomServices(r)
			cfg := config(t, "node.yaml", "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]}, mass_delete: {allow: true}}\n", "svc.yaml", "services:\n"+y)
			if step == 2 { // drift by hand inside the scope
				mustApply(t, c, []kernel.Op{{Kind: kernel.AddService, Service: kernel.NewServiceKey(kernel.UDP, netip.MustParseAddr("192.0.2.77"), 53),
					ServiceConfig: kernel.ServiceConfig{Scheduler: "lc"}}})
			}
			converge(t, c, cfg, nil)
			live := snapshot(t, c)
			if p := diff(live, effective(cfg, nil, true, nil), scopeOf(cfg)); !p.Empty() {
				t.Fatalf("seed %d step %d: not converged after one plan:\n%s\nconfig:\n%s", seed, step, planText(t, p), y)
			}
			// Independent oracle: the kernel, as ipvsadm prints it, equals the target.
			owned := kernel.Snapshot{}
			for _, s := range live.Services {
				if s.Key != outside {
					owned.Services = append(owned.Services, s)
				}
			}
			if got, want := kernel.RenderIPVSADM(owned), kernel.RenderIPVSADM(liveOf(effective(cfg, nil, true, nil))); got != want {
				t.Fatalf("seed %d step %d: kernel\n%s\nwant\n%s", seed, step, got, want)
			}
			if s, ok := live.Service(outside); !ok || len(s.Destinations) != 0 || s.Config.Scheduler != "rr" {
				t.Fatalf("seed %d step %d: service outside the scope changed", seed, step)
			}
			if n := len(live.Services) - 1; n != len(effective(cfg, nil, true, nil).Services) {
				t.Fatalf("seed %d step %d: %d owned services, want %d", seed, step, n, len(effective(cfg, nil, true, nil).Services))
			}
		}
	}
}
