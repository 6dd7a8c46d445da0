package reconcile

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// round runs Compute against the fake and applies the plan.
func round(t *testing.T, c kernel.IPVS, cfg desired.Config, h Health) Outcome {
	t.Helper()
	out := Compute(snapshot(t, c), Inputs{Config: cfg, Health: h, Master: true, Now: t0})
	mustApply(t, c, out.Plan.Ops())
	return out
}

// TestCheckServicesLifecycle follows the check services of a DR service on
// the fake kernel: added and labelled in the plan, not gated by health,
// zero ops on restart, kept marks on reload, removed with their backend.
func TestCheckServicesLifecycle(t *testing.T) {
	_, c := fakeWith(t)
	two := checksConfig(t, dsrService("web", "192.0.2.10", "198.51.100.1", "198.51.100.2"))
	sick := Health{{Service: "web", Backend: netip.MustParseAddrPort("198.51.100.2:0")}: false}
	out := round(t, c, two, sick)
	text := planText(t, out.Plan)
	for _, want := range []string{
		"+ check service fwmark/60000 rr\n",
		"+ check destination 198.51.100.1:0 in fwmark/60000 weight 1 forward dr\n",
		"+ check service fwmark/60001 rr\n",
		"+ check destination 198.51.100.2:0 in fwmark/60001 weight 1 forward dr\n",
		"+ service tcp/192.0.2.10:80 wlc\n",
		"+ destination 198.51.100.2:80 in tcp/192.0.2.10:80 weight 0 forward dr (unhealthy)\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("plan lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "check service tcp/") {
		t.Errorf("the VIP service is labelled a check service:\n%s", text)
	}
	var js strings.Builder
	if err := RenderJSON(&js, out.Plan); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(js.String(), `"check": true`); n != 4 {
		t.Errorf("JSON plan has %d check steps, want 4:\n%s", n, js.String())
	}
	if again := round(t, c, two, sick).Plan; !again.Empty() {
		t.Fatalf("restart with the same config plans:\n%s", planText(t, again))
	}

	// Reload with a backend added in front: the live marks stay.
	three := checksConfig(t, dsrService("web", "192.0.2.10", "198.51.100.0", "198.51.100.1", "198.51.100.2"))
	out = round(t, c, three, nil)
	if got := marksText(out.Target.CheckMarks); got != "inet/198.51.100.0/dr=60002 inet/198.51.100.1/dr=60000 inet/198.51.100.2/dr=60001" {
		t.Errorf("marks after reload: %s", got)
	}

	// Remove backend .1: its check service goes in the same plan.
	out = round(t, c, withoutBackend1(t), nil)
	text = planText(t, out.Plan)
	if !strings.Contains(text, "- check service fwmark/60000\n") || out.Plan.Count()[kernel.DeleteService] != 1 {
		t.Errorf("removing backend 198.51.100.1 does not delete its check service:\n%s", text)
	}
	for _, s := range snapshot(t, c).Services {
		if s.Key.FWMark == 60000 {
			t.Errorf("check service fwmark/60000 still live")
		}
	}

	// No dsr check left: every check service goes.
	out = round(t, c, checksConfig(t, "  - name: web\n    vip: 192.0.2.10\n    forward: dr\n    ports: [{proto: tcp, port: 80}]\n    backends: [{address: 198.51.100.2}]\n"), nil)
	if n := out.Plan.Count()[kernel.DeleteService]; n != 2 || len(out.Target.CheckMarks) != 0 {
		t.Errorf("dropping the dsr check deletes %d services, marks %v:\n%s", n, out.Target.CheckMarks, planText(t, out.Plan))
	}
}

// withoutBackend1 is the web service of TestCheckServicesLifecycle without 198.51.100.1.
func withoutBackend1(t *testing.T) desired.Config {
	return checksConfig(t, dsrService("web", "192.0.2.10", "198.51.100.0", "198.51.100.2"))
}

// TestCheckServiceTunnelTarget checks the tunnel encapsulation of a check
// service follows the service's and that the fwmark family is the VIP's.
func TestCheckServiceTunnelTarget(t *testing.T) {
	cfg := checksConfig(t, "  - name: tun\n    vip: 2001:db8::10\n    forward: tunnel\n    tunnel: {type: gue, port: 6080, checksum: csum}\n"+
		"    ports: [{proto: udp, port: 53}]\n    checks: [{type: dns, mode: tunnel, name: probe, query_name: example.org.}]\n    backends: [{address: 198.51.100.5}]\n")
	out := Compute(kernel.Snapshot{}, Inputs{Config: cfg, Master: true, Now: t0})
	var got []TargetService
	for _, s := range out.Target.Services {
		if s.Role == RoleCheck {
			got = append(got, s)
		}
	}
	if len(got) != 1 {
		t.Fatalf("check services: %+v", got)
	}
	s := got[0]
	want := kernel.DestinationConfig{Forward: kernel.ForwardTunnel, Weight: 1, TunnelType: kernel.TunnelGUE, TunnelPort: 6080, TunnelFlags: kernel.TunnelCsum}
	if s.Key != kernel.NewFWMarkKey(kernel.IPv6, 60000) || len(s.Destinations) != 1 || s.Destinations[0].Config != want ||
		s.Destinations[0].Key != kernel.NewDestinationKey(netip.MustParseAddr("198.51.100.5"), 0) {
		t.Errorf("check service %+v", s)
	}
}

func TestCheckDialOf(t *testing.T) {
	cfg := checksConfig(t, dsrService("web", "192.0.2.10", "198.51.100.1", "198.51.100.2"))
	s := &cfg.Services[0]
	marks, _ := allocateCheckMarks(cfg, kernel.Snapshot{})
	dsr := s.Checks[0]
	plain := dsr
	plain.Mode = desired.ModePlain
	cases := []struct {
		name  string
		marks CheckMarks
		b     int
		c     *desired.Check
		want  string
		err   error
	}{
		{"plain dials the backend", marks, 1, &plain, "198.51.100.2:80 mark 0", nil},
		{"dsr dials the VIP with the backend's mark", marks, 1, &dsr, "192.0.2.10:80 mark 60001", nil},
		{"dsr before any round has no mark", nil, 0, &dsr, "", ErrNoCheckMark},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := CheckDialOf(tc.marks, s, &s.Backends[tc.b], tc.c, 80)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "backend 198.51.100.1 in service web") {
					t.Errorf("error does not say what: %v", err)
				}
				return
			}
			if got := d.Addr.String() + " mark " + strconv.FormatUint(uint64(d.Mark), 10); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestCheckServiceReusedMarkIsNotDrained: when the range is full and a
// stale check service's mark goes to a new backend, the old destination is
// deleted in the same plan (nothing but checks used it), not drained.
func TestCheckServiceReusedMarkIsNotDrained(t *testing.T) {
	_, c := fakeWith(t)
	old := checksConfig(t, dsrService("web", "192.0.2.10", "198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"))
	round(t, c, old, nil)
	next := checksConfig(t, dsrService("web", "192.0.2.10", "198.51.100.2", "198.51.100.3", "198.51.100.4", "198.51.100.5"))
	live := snapshot(t, c)
	for i := range live.Services { // every old destination still has a connection
		for j := range live.Services[i].Destinations {
			live.Services[i].Destinations[j].Conns.Active = 1
		}
	}
	out := Compute(live, Inputs{Config: next, Master: true, Now: t0})
	text := planText(t, out.Plan)
	for _, want := range []string{
		"+ check destination 198.51.100.5:0 in fwmark/60000 weight 1 forward dr\n",
		"- check destination 198.51.100.1:0 from fwmark/60000 (not in config)\n",
		"~ destination 198.51.100.1:80 in tcp/192.0.2.10:80 weight 1 -> 0 (draining)\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("plan lacks %q:\n%s", want, text)
		}
	}
	if len(out.Draining) != 1 {
		t.Errorf("draining %v, want only the VIP service's destination", out.Draining)
	}
}
