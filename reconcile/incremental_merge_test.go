package reconcile

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"testing"

	"github.com/seesaw-lb/seesaw/desired"
)

// TestMergeInPlaceEqualsMerge applies random config and health changes and
// merges each round's dirty services into the previous target both ways:
// whenever the in-place merge accepts, its target equals the sorted
// merge's, and the shared watermark states equal the merged target's.
// Both shortcuts must be taken, and refused, often.
func TestMergeInPlaceEqualsMerge(t *testing.T) {
	inPlace, merged, shared := 0, 0, 0
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 11))
		cfg := desired.Config{Node: desired.Node{Name: "lb1", Interfaces: []string{"eth1"},
			Scope: desired.Scope{Prefixes: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}}}
		for i := range 20 {
			cfg.Services = append(cfg.Services, randService(r, i))
		}
		h := Health{}
		prev := effectiveOf(cfg, h, mastership{def: true}, nil)
		prevStates, prevCfg, prevHealth := prev.States(), cfg, h
		for step := range 40 {
			cfg, h = mutate(r, cfg, h)
			dirty, ok := changedServices(Inputs{Config: prevCfg, Health: prevHealth}, Inputs{Config: cfg, Health: h}, false)
			if !ok {
				t.Fatalf("seed %d step %d: services not sorted", seed, step)
			}
			// Knowing the previous services sorted changes nothing.
			if known, ok := changedServices(Inputs{Config: prevCfg, Health: prevHealth}, Inputs{Config: cfg, Health: h}, true); !ok || !reflect.DeepEqual(known, dirty) {
				t.Fatalf("seed %d step %d: with the previous services known sorted: %v, %v; want %v", seed, step, known, ok, dirty)
			}
			sub := cfg
			sub.Services = nil
			for _, s := range cfg.Services {
				if dirty[s.Name] {
					sub.Services = append(sub.Services, s)
				}
			}
			st := effectiveOf(sub, h, mastership{def: true}, prevStates)
			want := mergeTarget(prev, st, dirty)
			what := fmt.Sprintf("seed %d step %d", seed, step)
			if got, ok := mergeTargetInPlace(prevCfg, prev, st, dirty); ok {
				inPlace++
				if !reflect.DeepEqual(got.Services, want.Services) || !reflect.DeepEqual(got.Status, want.Status) {
					t.Fatalf("%s: in-place merge\n%+v\nsorted merge\n%+v", what, got, want)
				}
			} else {
				merged++
			}
			states := statesOf(want, st, prevStates)
			if !reflect.DeepEqual(states, want.States()) {
				t.Fatalf("%s: states %v, want %v", what, states, want.States())
			}
			if sameMap(states, prevStates) {
				shared++
			}
			prev, prevStates, prevCfg, prevHealth = want, states, cfg, h
		}
	}
	if inPlace < 200 || merged < 100 || shared < 200 {
		t.Fatalf("in place %d, merged %d, states shared %d: the generator no longer covers each path", inPlace, merged, shared)
	}
}

// TestPolicyMemoEqualsPolicy: along random config changes, the loop's
// remembered address policy equals the policy of each config.
func TestPolicyMemoEqualsPolicy(t *testing.T) {
	var m policyMemo
	reused := 0
	for seed := range uint64(10) {
		r := rand.New(rand.NewPCG(seed, 5))
		cfg := desired.Config{Node: desired.Node{Name: "lb1", Interfaces: []string{"eth1", "eth2"},
			Scope: desired.Scope{Prefixes: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}}}
		for i := range 20 {
			cfg.Services = append(cfg.Services, randService(r, i))
		}
		h := Health{}
		for step := range 40 {
			cfg, h = mutate(r, cfg, h)
			if m.ok && desired.SameAddressing(m.cfg, cfg) {
				reused++
			}
			got := m.of(cfg)
			if !reflect.DeepEqual(got, addressPolicyOf(cfg)) {
				t.Fatalf("seed %d step %d: memo policy\n%+v\nwant\n%+v", seed, step, got, addressPolicyOf(cfg))
			}
		}
	}
	if reused < 100 || reused > 350 {
		t.Fatalf("the policy was reused %d times of 400: the generator no longer covers both paths", reused)
	}
}

// TestChangedServicesRefusesUnsorted: services out of name order, or named
// twice, are refused, whether or not the previous ones are known sorted.
func TestChangedServicesRefusesUnsorted(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	sorted := desired.Config{Services: []desired.Service{randService(r, 1), randService(r, 2), randService(r, 3)}}
	for _, bad := range [][]int{{1, 3, 2}, {1, 2, 2}, {2, 1}} {
		cfg := desired.Config{}
		for _, i := range bad {
			cfg.Services = append(cfg.Services, randService(r, i))
		}
		for _, known := range []bool{false, true} {
			if _, ok := changedServices(Inputs{Config: sorted}, Inputs{Config: cfg}, known); ok {
				t.Errorf("services %v (previous known sorted: %v) accepted", bad, known)
			}
		}
	}
}
