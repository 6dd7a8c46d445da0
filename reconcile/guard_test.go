package reconcile

import (
	"fmt"
	"net/netip"
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
		{9, desired.MassDeleteGuard{MaxShare: 0.5}, false, false, ""},
		{5, desired.MassDeleteGuard{MaxShare: 0.5}, false, false, ""},
		{4, desired.MassDeleteGuard{MaxShare: 0.5}, false, true, "deletes 6 of 10 owned services (60%, limit 50%)"},
		{1, desired.MassDeleteGuard{MaxShare: 0.5}, false, true, "deletes 9 of 10"},
		{1, desired.MassDeleteGuard{MaxShare: 0.5, Allow: true}, false, false, ""},
		{1, desired.MassDeleteGuard{MaxShare: 0.5}, true, false, ""},
	}
	for _, tc := range cases {
		cfg := services(t, tenServices(tc.keep))
		p := guard(diff(live, effective(cfg, nil, true, nil), scopeOf(cfg)), tc.guard, tc.flag)
		if p.Held != tc.held || !strings.Contains(p.HeldReason, tc.wantWords) {
			t.Errorf("keep %d guard %+v flag %v: held=%v %q", tc.keep, tc.guard, tc.flag, p.Held, p.HeldReason)
		}
		if p.Count()[kernel.DeleteService] != 10-tc.keep {
			t.Errorf("keep %d: plan deletes %d services", tc.keep, p.Count()[kernel.DeleteService])
		}
	}
}
