package reconcile

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/seesaw-lb/seesaw/kernel/checkpath"
)

func TestCheckRoutesOf(t *testing.T) {
	plain := "  - name: plain\n    vip: 192.0.2.12\n    forward: dr\n    ports: [{proto: tcp, port: 80}]\n" +
		"    checks: [{type: tcp}]\n    backends: [{address: 198.51.100.9}]\n"
	two := dsrService("web", "192.0.2.10", "198.51.100.1") + dsrService("web2", "192.0.2.11", "198.51.100.1")
	cases := []struct {
		name string
		cfg  string
		want string
	}{
		{"one route per VIP with a dsr check, on the node interface", two + plain,
			"[{192.0.2.10/32 eth1} {192.0.2.11/32 eth1}]"},
		{"no dsr check: no route (the setup is undone)", plain, "[]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := fmt.Sprint(checkRoutesOf(checksConfig(t, tc.cfg)))
			if got == "[]" && tc.want == "[]" {
				return
			}
			if got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestPlanCheckRoutes(t *testing.T) {
	r := func(a string) checkpath.Route {
		return checkpath.Route{Dst: netip.MustParsePrefix(a + "/32"), Interface: "eth1"}
	}
	del, add := planCheckRoutes([]checkpath.Route{r("192.0.2.10"), r("192.0.2.11")}, []checkpath.Route{r("192.0.2.11"), r("192.0.2.12")})
	if fmt.Sprint(del) != "[{192.0.2.10/32 eth1}]" || fmt.Sprint(add) != "[{192.0.2.12/32 eth1}]" {
		t.Errorf("del %v add %v", del, add)
	}
	del, add = planCheckRoutes([]checkpath.Route{r("192.0.2.10")}, nil)
	if len(del) != 1 || len(add) != 0 {
		t.Errorf("no check left must delete every route: del %v add %v", del, add)
	}
}
