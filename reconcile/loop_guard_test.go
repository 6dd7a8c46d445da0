package reconcile

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// TestLoopHeldPlanKeepsTraffic: a truncated config holds back the deletion
// of the services it drops, and their VIPs stay on the interface; meanwhile
// a backend of a service that stays fails and goes to weight 0, and a
// backup drops every VIP, the kept ones included.
func TestLoopHeldPlanKeepsTraffic(t *testing.T) {
	ctx := context.Background()
	_, c := fakeWith(t)
	fa := kerneltest.NewAddresses("eth1")
	l := NewLoop(LoopOptions{Kernel: c, VIPs: NewVIPs(fa, nil), Now: func() time.Time { return t0 }})
	round := func() Status { l.drainEvents(); l.Round(ctx); return l.Status() }
	vips := func() string {
		ps, _ := fa.List(ctx, "eth1")
		slices.SortFunc(ps, func(a, b netip.Prefix) int { return a.Addr().Compare(b.Addr()) })
		var out []string
		for _, p := range ps {
			out = append(out, p.Addr().String())
		}
		return strings.Join(out, " ")
	}
	const all = "192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4 192.0.2.5 192.0.2.6 192.0.2.7 192.0.2.8 192.0.2.9 192.0.2.10"

	l.SetConfig(services(t, tenServices(10)))
	if st := round(); st.Error != "" || st.Held != "" || vips() != all {
		t.Fatalf("start: %+v, VIPs %s", st, vips())
	}
	full := kernel.RenderIPVSADM(snapshot(t, c))

	l.SetConfig(services(t, tenServices(2)))
	st := round()
	if !strings.Contains(st.Held, "deletes 8 of 10 owned services") || st.Error != "" {
		t.Fatalf("truncated config not held: %+v", st)
	}
	if got := kernel.RenderIPVSADM(snapshot(t, c)); got != full || vips() != all {
		t.Fatalf("held plan changed traffic: VIPs %s\n%s", vips(), got)
	}
	if len(st.LastPlan) != 8 || st.LastPlan[0] != "  held: - service tcp/192.0.2.3:80" {
		t.Fatalf("status of the held plan: %q", st.LastPlan)
	}

	// s1's backend fails while the deletions are held: it is drained.
	l.SetHealth(Health{{Service: "s1", Backend: mustAP("198.51.100.1:0")}: false})
	st = round()
	if st.Applied[kernel.UpdateDestination] != 1 || st.Held == "" || vips() != all {
		t.Fatalf("drain during a held plan: %+v, VIPs %s", st, vips())
	}
	want := strings.Replace(full, "-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 1", "-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 0", 1)
	if got := kernel.RenderIPVSADM(snapshot(t, c)); got != want {
		t.Fatalf("after the drain:\n%s\nwant:\n%s", got, want)
	}

	// A backup holds no VIP, kept or not; the IPVS services stay.
	l.SetMaster(false)
	if st = round(); vips() != "" || st.Held == "" {
		t.Fatalf("backup: VIPs %q, %+v", vips(), st)
	}
}
