package reconcile

import (
	"net/netip"
	"testing"
)

// TestHealthFromChecks: a backend is up only when all of its checks are.
func TestHealthFromChecks(t *testing.T) {
	a := BackendKey{Service: "web", Backend: netip.MustParseAddrPort("198.51.100.1:80")}
	b := BackendKey{Service: "web", Backend: netip.MustParseAddrPort("198.51.100.2:80")}
	c := BackendKey{Service: "dns", Backend: netip.MustParseAddrPort("198.51.100.3:53")}
	needs := map[BackendKey][]string{a: {"tcp", "http"}, b: {"tcp", "icmp"}, c: {"icmp"}}
	up := map[string]bool{"tcp": true, "http": true, "icmp": false}
	h := HealthFromChecks(needs, func(k string) bool { return up[k] })
	want := Health{a: true, b: false, c: false}
	if len(h) != len(want) {
		t.Fatalf("health %v, want %v", h, want)
	}
	for k, v := range want {
		if got, ok := h[k]; !ok || got != v {
			t.Errorf("%v: healthy %v (present %v), want %v", k, got, ok, v)
		}
	}
}
