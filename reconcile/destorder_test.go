package reconcile

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/kernel"
)

// dk returns the key of 198.51.100.n:80.
func dk(n int) kernel.DestinationKey {
	return kernel.NewDestinationKey(netip.AddrFrom4([4]byte{198, 51, 100, byte(n)}), 80)
}

func dks(ns ...int) []kernel.DestinationKey {
	out := make([]kernel.DestinationKey, len(ns))
	for i, n := range ns {
		out[i] = dk(n)
	}
	return out
}

// headList is a destination list as the kernel keeps it: adds go to the
// head, the dump walks from the head.
type headList []kernel.DestinationKey

func (l headList) add(k kernel.DestinationKey) headList {
	return append(headList{k}, l...)
}

func (l headList) del(k kernel.DestinationKey) headList {
	return slices.DeleteFunc(slices.Clone(l), func(x kernel.DestinationKey) bool { return x == k })
}

// apply runs f's deletes and adds, then deletes what target does not name,
// as the plan does.
func (l headList) apply(f orderFix, target []kernel.DestinationKey) headList {
	for _, k := range f.Delete {
		l = l.del(k)
	}
	for _, k := range f.Add {
		l = l.add(k)
	}
	for _, k := range slices.Clone(l) {
		if !slices.Contains(target, k) {
			l = l.del(k)
		}
	}
	return l
}

// addOrder is the list oldest first.
func (l headList) addOrder() []kernel.DestinationKey {
	out := slices.Clone([]kernel.DestinationKey(l))
	slices.Reverse(out)
	return out
}

func TestFixOrder(t *testing.T) {
	for _, c := range []struct {
		name         string
		dump, target []kernel.DestinationKey
		keep         int
		del, add     []kernel.DestinationKey
	}{
		{name: "empty", keep: 0},
		{name: "canonical", dump: dks(3, 2, 1), target: dks(1, 2, 3), keep: 3},
		{name: "new service", target: dks(1, 2), keep: 0, add: dks(1, 2)},
		{name: "new backend at the end", dump: dks(2, 1), target: dks(1, 2, 3), keep: 2, add: dks(3)},
		{name: "new backend in the middle", dump: dks(3, 1), target: dks(1, 2, 3), keep: 1, del: dks(3), add: dks(2, 3)},
		{name: "reversed", dump: dks(1, 2, 3), target: dks(1, 2, 3), keep: 1, del: dks(2, 3), add: dks(2, 3)},
		{name: "re-added by hand", dump: dks(2, 3, 1), target: dks(1, 2, 3), keep: 2, del: dks(3), add: dks(3)},
		{name: "oldest re-added", dump: dks(1, 3, 2), target: dks(1, 2, 3), keep: 1, del: dks(2, 3), add: dks(2, 3)},
		{name: "stale ones ignored", dump: dks(9, 3, 8, 2, 1), target: dks(1, 2, 3), keep: 3},
		{name: "removed from config", dump: dks(3, 2, 1), target: dks(1, 3), keep: 2},
		{name: "first one missing", dump: dks(3, 2), target: dks(1, 2, 3), keep: 0, del: dks(2, 3), add: dks(1, 2, 3)},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := fixOrder(c.dump, c.target)
			if f.Keep != c.keep || !slices.Equal(f.Delete, c.del) || !slices.Equal(f.Add, c.add) {
				t.Errorf("fixOrder(%v, %v) = keep %d, delete %v, add %v; want keep %d, delete %v, add %v",
					c.dump, c.target, f.Keep, f.Delete, f.Add, c.keep, c.del, c.add)
			}
			if got := headList(c.dump).apply(f, c.target).addOrder(); !slices.Equal(got, c.target) && len(c.target) > 0 {
				t.Errorf("list after the fix %v, want %v", got, c.target)
			}
		})
	}
}

// TestFixOrderRandomHistories: from lists built by random adds and deletes,
// the fix always gives the target order, and keeps as many destinations
// untouched as any fix can (brute force over every set of untouched ones:
// they must be a prefix of target, in order in the live list).
func TestFixOrderRandomHistories(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 4))
	for n := range 2000 {
		var l headList
		for range r.IntN(20) {
			k := dk(1 + r.IntN(8))
			if slices.Contains(l, k) {
				l = l.del(k)
				continue
			}
			l = l.add(k)
		}
		var target []kernel.DestinationKey
		for i := 1; i <= 8; i++ {
			if r.IntN(3) != 0 {
				target = append(target, dk(i))
			}
		}
		f := fixOrder(l, target)
		if got := l.apply(f, target).addOrder(); !slices.Equal(got, target) && len(target) > 0 {
			t.Fatalf("case %d: list %v fixed by %+v gives %v, want %v", n, l, f, got, target)
		}
		if best := bestKeep(l.addOrder(), target); f.Keep != best {
			t.Fatalf("case %d: list %v target %v: keeps %d, %d possible", n, l, target, f.Keep, best)
		}
		if len(f.Delete)+f.Keep > len(target) || len(f.Add) != len(target)-f.Keep {
			t.Fatalf("case %d: %+v does more than re-add target[keep:]", n, f)
		}
	}
}

// bestKeep tries every subset of the live destinations that target names
// and returns the largest that can stay untouched.
func bestKeep(live, target []kernel.DestinationKey) int {
	var cand []kernel.DestinationKey
	for _, k := range live {
		if slices.Contains(target, k) {
			cand = append(cand, k)
		}
	}
	best := 0
	for mask := range 1 << len(cand) {
		var kept []kernel.DestinationKey
		for i, k := range cand {
			if mask&(1<<i) != 0 {
				kept = append(kept, k)
			}
		}
		if len(kept) > best && slices.Equal(kept, target[:len(kept)]) {
			best = len(kept)
		}
	}
	return best
}

const mhServiceYAML = `  - name: web
    vip: 192.0.2.10
    ports: [{proto: tcp, port: 80}]
    scheduler: mh
    scheduler_flags: [mh-fallback, mh-port]
    forward: dr
    on_unhealthy: remove
    backends:
%s`

func mhConfig(t testing.TB, backends ...int) string {
	var b strings.Builder
	for _, n := range backends {
		fmt.Fprintf(&b, "      - {address: 198.51.100.%d, weight: 10}\n", n)
	}
	return fmt.Sprintf(mhServiceYAML, b.String())
}

var mhWeb = kernel.NewServiceKey(kernel.TCP, netip.MustParseAddr("192.0.2.10"), 80)

// dumpKeys reads the service's destinations in the kernel's order.
func dumpKeys(t testing.TB, c kernel.IPVS, k kernel.ServiceKey) []kernel.DestinationKey {
	t.Helper()
	s, ok := snapshot(t, c).Service(k)
	if !ok {
		t.Fatalf("no service %s", k)
	}
	keys, ok := dumpOrder(s.Destinations)
	if !ok {
		t.Fatalf("list positions of %s unknown: %+v", k, s.Destinations)
	}
	return keys
}

// computeApply runs Compute against the fake and applies the plan.
func computeApply(t testing.TB, c kernel.IPVS, cfg string, h Health) Plan {
	t.Helper()
	o := Compute(snapshot(t, c), Inputs{Config: services(t, cfg), Health: h, Master: true, Now: t0})
	mustApply(t, c, o.Plan.Ops())
	return o.Plan
}

// TestMHOrderSameOnEveryHistory: nodes that reach one config along
// different paths (backends added one by one in another order, one deleted
// by hand, an old table adopted at start) end with the same list, in
// canonical order, and a second round changes nothing.
func TestMHOrderSameOnEveryHistory(t *testing.T) {
	want := dks(5, 4, 3, 2, 1) // dump order: newest first
	_, a := fakeWith(t)
	for _, cfg := range [][]int{{1}, {1, 2}, {1, 2, 3}, {1, 2, 3, 4, 5}} {
		computeApply(t, a, mhConfig(t, cfg...), nil)
	}
	_, b := fakeWith(t)
	for _, cfg := range [][]int{{5}, {3, 5}, {2, 3, 4, 5}, {1, 2, 3, 4, 5}} {
		computeApply(t, b, mhConfig(t, cfg...), nil)
	}
	// c: a table made by hand in reverse order, adopted by a start.
	_, c := fakeWith(t, kernel.Op{Kind: kernel.AddService, Service: mhWeb, ServiceConfig: kernel.ServiceConfig{Scheduler: "mh"}})
	for i := 5; i >= 1; i-- {
		mustApply(t, c, []kernel.Op{{Kind: kernel.AddDestination, Service: mhWeb, Destination: dk(i),
			DestinationConfig: kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: 10}}})
	}
	p := computeApply(t, c, mhConfig(t, 1, 2, 3, 4, 5), nil)
	if n := p.Count()[kernel.DeleteDestination]; n != 4 {
		t.Errorf("adopting a reversed table: %d deletes, want 4 (all but the oldest):\n%s", n, planText(t, p))
	}
	// d: a converged node whose backend 2 is deleted by hand.
	_, d := fakeWith(t)
	computeApply(t, d, mhConfig(t, 1, 2, 3, 4, 5), nil)
	mustApply(t, d, []kernel.Op{{Kind: kernel.DeleteDestination, Service: mhWeb, Destination: dk(2)}})
	p = computeApply(t, d, mhConfig(t, 1, 2, 3, 4, 5), nil)
	if got := planText(t, p); !strings.Contains(got, "(reorder)") {
		t.Errorf("drift repair does not re-add in order:\n%s", got)
	}
	for name, k := range map[string]kernel.IPVS{"a": a, "b": b, "c": c, "d": d} {
		if got := dumpKeys(t, k, mhWeb); !slices.Equal(got, want) {
			t.Errorf("node %s lists %v, want %v", name, got, want)
		}
		if p := computeApply(t, k, mhConfig(t, 1, 2, 3, 4, 5), nil); !p.Empty() {
			t.Errorf("node %s: second round not empty:\n%s", name, planText(t, p))
		}
	}
}

// TestMHUnhealthyDrainsInsteadOfRemove: on an mh service, on_unhealthy:
// remove keeps the backend at weight 0, so its return is one update and the
// list keeps its order.
func TestMHUnhealthyDrainsInsteadOfRemove(t *testing.T) {
	_, c := fakeWith(t)
	cfg := mhConfig(t, 1, 2, 3)
	computeApply(t, c, cfg, nil)
	sick := Health{{Service: "web", Backend: netip.AddrPortFrom(dk(2).Addr, 0)}: false}
	p := computeApply(t, c, cfg, sick)
	if n := p.Count(); n[kernel.UpdateDestination] != 1 || n[kernel.DeleteDestination] != 0 {
		t.Fatalf("unhealthy backend on mh: %v, want one update to weight 0:\n%s", n, planText(t, p))
	}
	p = computeApply(t, c, cfg, Health{})
	if n := p.Count(); n[kernel.UpdateDestination] != 1 || len(p.Steps) != 1 {
		t.Fatalf("backend back on mh: %v, want one update:\n%s", n, planText(t, p))
	}
	if got := dumpKeys(t, c, mhWeb); !slices.Equal(got, dks(3, 2, 1)) {
		t.Errorf("list %v after the backend came back, want %v", got, dks(3, 2, 1))
	}
	// The same service under wrr deletes the unhealthy backend, as configured.
	_, w := fakeWith(t)
	wrr := strings.Replace(strings.Replace(cfg, "scheduler: mh", "scheduler: wrr", 1), "    scheduler_flags: [mh-fallback, mh-port]\n", "", 1)
	computeApply(t, w, wrr, nil)
	if p := computeApply(t, w, wrr, sick); p.Count()[kernel.DeleteDestination] != 1 {
		t.Errorf("unhealthy backend on wrr with on_unhealthy: remove not deleted:\n%s", planText(t, p))
	}
}

// TestRestartKeepsOrderedTableZeroOps: a node restarting on a table in
// canonical order plans nothing, and the loop's patched cache holds the
// list positions the kernel reports.
func TestRestartKeepsOrderedTableZeroOps(t *testing.T) {
	_, c := fakeWith(t)
	cfg := mhConfig(t, 1, 2, 4)
	live := snapshot(t, c)
	o := Compute(live, Inputs{Config: services(t, cfg), Master: true, Now: t0})
	res, err := c.Apply(t.Context(), o.Plan.Ops())
	if err != nil {
		t.Fatal(err)
	}
	cached := patch(live, res)
	cfg2 := mhConfig(t, 1, 2, 3, 4)
	o = Compute(cached, Inputs{Config: services(t, cfg2), Master: true, Now: t0})
	res, err = c.Apply(t.Context(), o.Plan.Ops())
	if err != nil {
		t.Fatal(err)
	}
	cached = patch(cached, res)
	if got, want := positions(cached), positions(snapshot(t, c)); got != want {
		t.Errorf("patched cache positions %s, kernel %s", got, want)
	}
	if p := Compute(snapshot(t, c), Inputs{Config: services(t, cfg2), Master: true, Now: t0}).Plan; !p.Empty() {
		t.Errorf("restart on an ordered table plans:\n%s", planText(t, p))
	}
}

// positions renders each destination's key and list position.
func positions(s kernel.Snapshot) string {
	var b strings.Builder
	for _, svc := range s.Services {
		for _, d := range svc.Destinations {
			fmt.Fprintf(&b, "%s=%d ", d.Key, d.ListPos)
		}
	}
	return b.String()
}

// TestReorderPlanText: a backend added in the middle of the key order of an
// mh service moves the ones after it: each is deleted and re-added after
// the new one, in the add/update group.
func TestReorderPlanText(t *testing.T) {
	_, c := fakeWith(t)
	computeApply(t, c, mhConfig(t, 1, 3, 4), nil)
	p := computeApply(t, c, mhConfig(t, 1, 2, 3, 4), nil)
	want := `- destination 198.51.100.3:80 from tcp/192.0.2.10:80 (reorder)
- destination 198.51.100.4:80 from tcp/192.0.2.10:80 (reorder)
+ destination 198.51.100.2:80 in tcp/192.0.2.10:80 weight 10 forward dr
+ destination 198.51.100.3:80 in tcp/192.0.2.10:80 weight 10 forward dr
+ destination 198.51.100.4:80 in tcp/192.0.2.10:80 weight 10 forward dr
Plan: services 0 to add, 0 to change, 0 to delete; destinations 3 to add, 0 to change, 2 to delete.
`
	if got := planText(t, p); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}

// BenchmarkOrderOfInOrder is the per-round cost of the order check for an mh
// service already in canonical order (the steady state): no allocation.
func BenchmarkOrderOfInOrder(b *testing.B) {
	ts := TargetService{Config: kernel.ServiceConfig{Scheduler: "mh"}}
	ls := kernel.Service{}
	for i := range 10 {
		ts.Destinations = append(ts.Destinations, TargetDestination{Key: dk(i + 1)})
		ls.Destinations = append(ls.Destinations, kernel.Destination{Key: dk(i + 1), ListPos: i + 1})
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := orderOf(&ls, &ts); ok {
			b.Fatal("in order, yet a fix")
		}
	}
}
