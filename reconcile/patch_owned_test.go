package reconcile

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"testing"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// deepClone copies a snapshot down to its destination lists.
func deepClone(s kernel.Snapshot) kernel.Snapshot {
	out := kernel.Snapshot{Services: slices.Clone(s.Services)}
	for i := range out.Services {
		out.Services[i].Destinations = slices.Clone(out.Services[i].Destinations)
	}
	return out
}

// TestPatchOwnedEqualsPatch applies random plans (weights, backends and
// services added and removed, schedulers) to the fake kernel and patches
// the cached table both ways: the in-place patch equals the copying one
// and a fresh read, and it is taken (no service added or deleted) often.
func TestPatchOwnedEqualsPatch(t *testing.T) {
	inPlace := 0
	for seed := range uint64(10) {
		r := rand.New(rand.NewPCG(seed, 13))
		_, c := fakeWith(t)
		cfg := desired.Config{Node: desired.Node{Name: "lb1", Interfaces: []string{"eth1"},
			Scope: desired.Scope{Prefixes: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}}}
		for i := range 20 {
			cfg.Services = append(cfg.Services, randService(r, i))
		}
		h := Health{}
		live := snapshot(t, c)
		for step := range 40 {
			if step > 0 {
				cfg, h = mutate(r, cfg, h)
			}
			p := diff(live, effective(cfg, h, true, nil), scopeOf(cfg))
			res, err := c.Apply(t.Context(), p.Ops())
			if err != nil {
				t.Fatal(err)
			}
			want := patch(live, res)
			before := deepClone(live)
			got := patchOwned(before, true, res)
			what := fmt.Sprintf("seed %d step %d", seed, step)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: in-place patch\n%s\ncopying patch\n%s", what, kernel.RenderIPVSADM(got), kernel.RenderIPVSADM(want))
			}
			if g, w := kernel.RenderIPVSADM(got), kernel.RenderIPVSADM(snapshot(t, c)); g != w {
				t.Fatalf("%s: patched\n%s\nkernel\n%s", what, g, w)
			}
			if len(got.Services) > 0 && len(before.Services) > 0 && &got.Services[0] == &before.Services[0] {
				inPlace++
			}
			live = want
		}
	}
	if inPlace < 150 {
		t.Fatalf("the in-place patch was taken %d times of 400", inPlace)
	}
}
