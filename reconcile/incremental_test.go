package reconcile

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// randService returns a random service i with its own slices.
func randService(r *rand.Rand, i int) desired.Service {
	s := desired.Service{Name: fmt.Sprintf("s%03d", i), VIP: netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}),
		Scheduler: []string{"wrr", "rr", "wlc"}[r.IntN(3)], Forward: desired.ForwardNAT,
		DrainTimeout: time.Minute, OnUnhealthy: []desired.OnUnhealthy{desired.Drain, desired.Remove}[r.IntN(2)],
		Watermarks: desired.Watermarks{Low: 0.3, High: 0.6}}
	for p := range 1 + r.IntN(2) {
		s.Ports = append(s.Ports, desired.Port{Proto: desired.TCP, Port: uint16(80 + p)})
	}
	n := 1 + r.IntN(5)
	for j := range 8 {
		if len(s.Backends) < n && r.IntN(2) == 0 {
			s.Backends = append(s.Backends, desired.Backend{Address: netip.AddrFrom4([4]byte{198, 51, 100, byte(1 + j)}),
				Weight: int32(1 + r.IntN(20)), Enabled: r.IntN(8) != 0, Forward: desired.ForwardNAT})
		}
	}
	if r.IntN(3) == 0 { // a sorry server, kept at weight 0 or drained while unused
		s.Fallback = []desired.Fallback{{Backend: desired.Backend{Address: netip.AddrFrom4([4]byte{203, 0, 113, 99}),
			Weight: 1, Enabled: true, Forward: desired.ForwardNAT}, Idle: []desired.FallbackIdle{desired.IdleDrain, desired.IdleKeep}[r.IntN(2)]}}
	}
	return s
}

// mutate changes cfg and health at random the way edits and checks do:
// new slices for what changed, shared ones for the rest.
func mutate(r *rand.Rand, cfg desired.Config, h Health) (desired.Config, Health) {
	cfg.Services = slices.Clone(cfg.Services)
	h = maps_clone(h)
	for range 1 + r.IntN(3) {
		i := r.IntN(len(cfg.Services))
		s := &cfg.Services[i]
		switch r.IntN(8) {
		case 7: // the address moves: another interface, or the service's
			// spare VIP (150+i for s000-s019, 170+i-100 for s100-s149)
			if r.IntN(2) == 0 {
				s.Interface = []string{"", "eth2"}[r.IntN(2)]
			} else if n := i2(s.Name); n < 100 {
				s.VIP = netip.AddrFrom4([4]byte{192, 0, 2, byte(150 + n)})
			} else {
				s.VIP = netip.AddrFrom4([4]byte{192, 0, 2, byte(70 + n)})
			}
		case 0: // weight edit
			if len(s.Backends) > 0 {
				s.Backends = slices.Clone(s.Backends)
				s.Backends[r.IntN(len(s.Backends))].Weight = int32(r.IntN(30))
			}
		case 1: // backend removed or added
			s.Backends = slices.Clone(s.Backends)
			if len(s.Backends) > 1 && r.IntN(2) == 0 {
				s.Backends = slices.Delete(s.Backends, 0, 1)
			} else {
				*s = randService(r, i2(s.Name))
			}
		case 2: // scheduler
			s.Scheduler = []string{"wrr", "rr", "wlc"}[r.IntN(3)]
		case 3: // service removed
			if len(cfg.Services) > 3 {
				cfg.Services = slices.Delete(cfg.Services, i, i+1)
			}
		case 4: // service added
			n := randService(r, 100+r.IntN(50))
			if _, found := slices.BinarySearchFunc(cfg.Services, n.Name, byName); !found {
				cfg.Services = append(cfg.Services, n)
				slices.SortFunc(cfg.Services, func(a, b desired.Service) int { return byName(a, b.Name) })
			}
		default: // a health verdict flips
			if len(s.Backends) > 0 {
				k := HealthKey(s, &s.Backends[r.IntN(len(s.Backends))])
				h[k] = r.IntN(2) == 0
			}
		}
	}
	return cfg, h
}

func byName(s desired.Service, name string) int {
	switch {
	case s.Name < name:
		return -1
	case s.Name > name:
		return 1
	}
	return 0
}

func i2(name string) int {
	var i int
	fmt.Sscanf(name, "s%d", &i)
	return i
}

func maps_clone(h Health) Health {
	out := make(Health, len(h))
	for k, v := range h {
		out[k] = v
	}
	return out
}

// TestIncrementalEqualsCompute plans random sequences of config and health
// changes both ways against the fake kernel: whenever the incremental
// planner takes a round, its outcome equals Compute's.
func TestIncrementalEqualsCompute(t *testing.T) {
	taken := 0
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 7))
		_, c := fakeWith(t)
		cfg := desired.Config{Node: desired.Node{Name: "lb1", Interfaces: []string{"eth1"},
			Scope:      desired.Scope{Prefixes: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}},
			MassDelete: desired.MassDeleteGuard{MaxShare: 0.5}}}
		for i := range 20 {
			cfg.Services = append(cfg.Services, randService(r, i))
		}
		h := Health{}
		live := snapshot(t, c)
		var prev *Round
		var states ServiceStates
		var draining Draining
		for step := range 40 {
			if step > 0 {
				cfg, h = mutate(r, cfg, h)
			}
			in := Inputs{Config: cfg, Health: h, Master: true, States: states, Draining: draining, Now: t0}
			full := Compute(live, in)
			if prev != nil {
				if inc, ok := ComputeIncremental(live, in, *prev); ok {
					taken++
					compareOutcomes(t, fmt.Sprintf("seed %d step %d", seed, step), inc, full)
				}
			}
			states, draining, prev = full.States, full.Draining, nil
			// A held plan's applied part goes to the kernel, as in the loop,
			// and the next round plans in full.
			res, err := c.Apply(t.Context(), full.Plan.Ops())
			if err != nil {
				t.Fatal(err)
			}
			live = patch(live, res)
			failed := slices.ContainsFunc(res, func(r kernel.Result) bool { return r.Err != nil })
			if failed {
				live = snapshot(t, c)
				continue
			}
			if !full.Plan.Held {
				prev = &Round{Inputs: in, Outcome: full}
			}
		}
	}
	if taken < 300 {
		t.Fatalf("the incremental planner took only %d rounds", taken)
	}
}

// compareOutcomes fails unless two outcomes plan and report the same.
func compareOutcomes(t *testing.T, what string, got, want Outcome) {
	t.Helper()
	if !reflect.DeepEqual(got.Plan, want.Plan) {
		t.Fatalf("%s: incremental plan\n%s\nfull plan\n%s", what, planText(t, got.Plan), planText(t, want.Plan))
	}
	if !reflect.DeepEqual(got.Target.Services, want.Target.Services) {
		t.Fatalf("%s: target services differ\n%+v\n%+v", what, got.Target.Services, want.Target.Services)
	}
	for _, c := range []struct {
		name string
		a, b any
	}{
		{"status", got.Target.Status, want.Target.Status},
		{"addresses", got.Target.Addresses, want.Target.Addresses},
		{"states", got.States, want.States},
		{"draining", len(got.Draining), len(want.Draining)},
		{"check marks", len(got.Target.CheckMarks), len(want.Target.CheckMarks)},
	} {
		if !reflect.DeepEqual(c.a, c.b) {
			t.Fatalf("%s: %s differ\n%+v\n%+v", what, c.name, c.a, c.b)
		}
	}
}

// TestServiceEqualKnowsEveryField fails when desired.Service gains or loses
// a field, so serviceEqual never silently ignores one.
func TestServiceEqualKnowsEveryField(t *testing.T) {
	typ := reflect.TypeFor[desired.Service]()
	var got []string
	for i := range typ.NumField() {
		got = append(got, typ.Field(i).Name)
	}
	if !slices.Equal(got, comparedServiceFields) {
		t.Fatalf("desired.Service has fields %v; serviceEqual compares %v: update it", got, comparedServiceFields)
	}
}

// TestServiceEqual compares services that differ in one field at a time.
func TestServiceEqual(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	base := randService(r, 1)
	base.Persistence = &desired.Persistence{Timeout: time.Minute}
	base.Checks = []desired.Check{{Name: "c", Type: desired.CheckTCP}}
	same := base
	same.Backends = slices.Clone(base.Backends)
	same.Persistence = &desired.Persistence{Timeout: time.Minute}
	same.Checks = []desired.Check{{Name: "c", Type: desired.CheckTCP}}
	if !serviceEqual(&base, &same) {
		t.Fatal("equal services with their own slices compare unequal")
	}
	edits := []func(s *desired.Service){
		func(s *desired.Service) { s.Name += "x" },
		func(s *desired.Service) { s.Scheduler = "sh" },
		func(s *desired.Service) { s.Interface = "eth9" },
		func(s *desired.Service) { s.VRRPInstance = "db" },
		func(s *desired.Service) { s.Persistence = nil },
		func(s *desired.Service) { s.Persistence = &desired.Persistence{Timeout: time.Hour} },
		func(s *desired.Service) { s.Watermarks.High = 0.9 },
		func(s *desired.Service) { s.Source.Line++ },
		func(s *desired.Service) {
			s.Ports = append(slices.Clone(s.Ports), desired.Port{Proto: desired.UDP, Port: 53})
		},
		func(s *desired.Service) { s.Backends = slices.Clone(s.Backends); s.Backends[0].Weight++ },
		func(s *desired.Service) { s.Checks = []desired.Check{{Name: "c", Type: desired.CheckHTTP}} },
	}
	for i, e := range edits {
		s := same
		e(&s)
		if serviceEqual(&base, &s) || reflect.DeepEqual(base, s) {
			t.Errorf("edit %d: services compare equal", i)
		}
	}
}

// TestLoopPlansIncrementallyAfterAFullRound: the loop plans an edit from
// the changed service only after a fully applied round, and plans
// everything again after a re-read (resync) and after a failed apply.
func TestLoopPlansIncrementallyAfterAFullRound(t *testing.T) {
	e := newLoopEnv(t)
	e.l.SetConfig(services(t, webYAML))
	e.round(t)
	if e.l.incremental {
		t.Fatal("the first round (after the full read) planned incrementally")
	}
	edit := func(w string) Status {
		e.l.SetConfig(services(t, strings.Replace(webYAML, "weight: 20}", "weight: "+w+"}", 1)))
		st, _ := e.round(t)
		return st
	}
	if st := edit("25"); !e.l.incremental || st.Applied[kernel.UpdateDestination] != 2 {
		t.Fatalf("edit after a full round: incremental %v, applied %v", e.l.incremental, st.Applied)
	}
	e.l.Resync()
	if st := edit("26"); e.l.incremental || st.Applied[kernel.UpdateDestination] != 2 {
		t.Fatalf("edit after a resync: incremental %v, applied %v", e.l.incremental, st.Applied)
	}
	e.k.failNext = 1
	edit("27")
	if st := edit("28"); e.l.incremental || st.Applied[kernel.UpdateDestination] != 2 {
		t.Fatalf("edit after a failed apply: incremental %v, applied %v", e.l.incremental, st.Applied)
	}
	if st := edit("29"); !e.l.incremental || st.Applied[kernel.UpdateDestination] != 2 {
		t.Fatalf("edit after a recovered round: incremental %v, applied %v", e.l.incremental, st.Applied)
	}
	if again := diff(snapshot(t, e.raw), effective(e.l.cfg, nil, true, nil), scopeOf(e.l.cfg)); !again.Empty() {
		t.Fatalf("kernel not converged:\n%s", planText(t, again))
	}
}
