package reconcile

import (
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/kernel"
)

// TestPatchMatchesKernel applies plans to the fake and to a cached snapshot
// with patch: the cache must equal a fresh read (ipvsadm rendering).
func TestPatchMatchesKernel(t *testing.T) {
	_, c := fakeWith(t)
	configs := []string{webYAML, everyKindYAML, strings.Replace(webYAML, "weight: 10}", "weight: 1}", 1), tenServices(3),
		mhConfig(t, 2, 4), mhConfig(t, 1, 2, 3, 4), mhConfig(t, 1, 3, 5)}
	cache := snapshot(t, c)
	for i, y := range configs {
		cfg := services(t, y)
		p := diff(cache, effective(cfg, nil, true, nil), scopeOf(cfg))
		res, err := c.Apply(t.Context(), p.Ops())
		if err != nil {
			t.Fatal(err)
		}
		cache = patch(cache, res)
		if got, want := kernel.RenderIPVSADM(cache), kernel.RenderIPVSADM(snapshot(t, c)); got != want {
			t.Fatalf("config %d: patched cache\n%s\nkernel\n%s", i, got, want)
		}
		if got, want := positions(cache), positions(snapshot(t, c)); got != want {
			t.Fatalf("config %d: patched list positions\n%s\nkernel\n%s", i, got, want)
		}
		if again := diff(cache, effective(cfg, nil, true, nil), scopeOf(cfg)); !again.Empty() {
			t.Fatalf("config %d: cache not converged:\n%s", i, planText(t, again))
		}
	}
}
