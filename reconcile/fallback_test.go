package reconcile

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
)

// fbYAML is wmYAML with a check (so that a restart reads the backends'
// verdicts back), a fallback and a 30s drain timeout.
const fbYAML = wmYAML + `    checks: [{type: tcp}]
    drain_timeout: 30s
    fallback:
      - {address: 203.0.113.99, weight: 5}
`

const fbDest = "203.0.113.99:80"

// fbRounds runs planning rounds of one config against a fake kernel, as
// the loop does: each round reads the kernel, computes from the previous
// outcome, and applies the plan in full.
type fbRounds struct {
	t    *testing.T
	c    kernel.IPVS
	prev Outcome
	// conns gives each named destination that many active connections in
	// the live table the round reads (the fake kernel has no traffic).
	conns map[string]uint32
}

func newFBRounds(t *testing.T) *fbRounds {
	_, c := fakeWith(t)
	return &fbRounds{t: t, c: c, conns: map[string]uint32{}}
}

// round plans and applies one round at t0+at and returns its plan text
// ("" when empty).
func (r *fbRounds) round(yaml string, h Health, at time.Duration) string {
	r.t.Helper()
	live := snapshot(r.t, r.c)
	for d, n := range r.conns {
		live = withConns(live, d, n)
	}
	out := Compute(live, Inputs{Config: services(r.t, yaml), Health: h, Master: true,
		States: r.prev.States, Draining: r.prev.Draining, Now: t0.Add(at)})
	mustApply(r.t, r.c, out.Plan.Ops())
	r.prev = out
	if out.Plan.Empty() {
		return ""
	}
	return planText(r.t, out.Plan)
}

// weight is the fallback's weight in the kernel, -1 when absent.
func (r *fbRounds) weight(dest string) int {
	r.t.Helper()
	for _, s := range snapshot(r.t, r.c).Services {
		for _, d := range s.Destinations {
			if d.Key.String() == dest {
				return int(d.Config.Weight)
			}
		}
	}
	return -1
}

func TestFallbackInWhileDownDrainedOutWhenUp(t *testing.T) {
	r := newFBRounds(t)
	fallbackInAndOut(t, r, func() string { return kernel.RenderIPVSADM(snapshot(t, r.c)) })
}

// fallbackInAndOut takes fbYAML's service down and up again by its
// watermarks, round by round, and checks each plan, the fallback's weight
// in the kernel and in oracle (the table as `ipvsadm -Sn` prints it), and
// that a restart while the fallback serves plans nothing. The real-kernel
// test runs it too.
func fallbackInAndOut(t *testing.T, r *fbRounds, oracle func() string) {
	t.Helper()
	steps := []struct {
		healthy int
		at      time.Duration
		conns   uint32
		plan    string // text the plan must hold ("": the plan is empty)
		weight  int    // the fallback's weight in the kernel after the round, -1 absent
		inUse   int
	}{
		{4, 0, 0, "+ service tcp/192.0.2.10:80", -1, 0},
		{1, time.Second, 0, "+ destination " + fbDest + " in tcp/192.0.2.10:80 weight 5", 5, 1},
		{2, 2 * time.Second, 3, "", 5, 1}, // still down: below high (hysteresis)
		{3, 3 * time.Second, 3, "~ destination " + fbDest + " in tcp/192.0.2.10:80 weight 5 -> 0 (fallback idle)", 0, 0},
		{3, 20 * time.Second, 3, "", 0, 0},                                                                     // sessions finish
		{3, 33 * time.Second, 3, "- destination " + fbDest + " from tcp/192.0.2.10:80 (fallback idle)", -1, 0}, // drain_timeout passed
		{3, 34 * time.Second, 0, "", -1, 0},
	}
	line := regexp.MustCompile(`(?m)^-a -t 192\.0\.2\.10:80 -r 203\.0\.113\.99:80 -m -w (\d+)$`)
	for i, s := range steps {
		r.conns[fbDest] = s.conns
		got := r.round(fbYAML, healthWith(s.healthy), s.at)
		if s.plan == "" && got != "" || !strings.Contains(got, s.plan) {
			t.Fatalf("step %d (%d healthy): plan\n%s\nwant %q", i, s.healthy, got, s.plan)
		}
		if i == 1 && !strings.Contains(got, "weight 5 forward nat (fallback)") {
			t.Fatalf("step %d: the fallback's reason is not shown:\n%s", i, got)
		}
		if w := r.weight(fbDest); w != s.weight {
			t.Fatalf("step %d: fallback weight in the kernel %d, want %d", i, w, s.weight)
		}
		table := oracle()
		m := line.FindStringSubmatch(table)
		if s.weight < 0 && m != nil || s.weight >= 0 && (m == nil || m[1] != strconv.Itoa(s.weight)) {
			t.Fatalf("step %d: the table does not hold the fallback at weight %d:\n%s", i, s.weight, table)
		}
		if st := r.prev.Target.Status[0]; st.Fallback != s.inUse {
			t.Fatalf("step %d: status %+v, want %d fallbacks in use", i, st, s.inUse)
		}
		if i == 2 {
			restartPlansNothing(t, r.c, fbYAML)
		}
	}
}

// restartPlansNothing plans the first round of a restarted daemon: no
// watermark or drain state, the health read back from the kernel.
func restartPlansNothing(t *testing.T, c kernel.IPVS, yaml string) {
	t.Helper()
	cfg := services(t, yaml)
	live := snapshot(t, c)
	out := Compute(live, Inputs{Config: cfg, Health: AdoptedHealth(cfg, live), Master: true, Now: t0.Add(time.Hour)})
	if !out.Plan.Empty() {
		t.Fatalf("restart while the fallback serves:\n%s", planText(t, out.Plan))
	}
}

func TestFallbackOutAtOnceWithoutConnections(t *testing.T) {
	r := newFBRounds(t)
	r.round(fbYAML, healthWith(1), 0)
	got := r.round(fbYAML, healthWith(4), time.Second)
	if !strings.Contains(got, "- destination "+fbDest) || r.weight(fbDest) != -1 {
		t.Fatalf("recovery with an idle fallback:\n%s", got)
	}
	if len(r.prev.Draining) != 0 {
		t.Fatalf("draining %v", r.prev.Draining)
	}
}

// TestFallbackFlapping: the service goes down, up and down again while the
// fallback drains; the fallback gets its weight back in one update and
// leaves the drain state. Every transition follows the hysteresis.
func TestFallbackFlapping(t *testing.T) {
	r := newFBRounds(t)
	r.conns[fbDest] = 1
	seq := []struct {
		healthy int
		weight  int
		plan    string
	}{
		{1, 5, "+ destination " + fbDest},
		{3, 0, "weight 5 -> 0 (fallback idle)"},
		{2, 0, ""}, // up until below low
		{1, 5, "weight 0 -> 5 (fallback)"},
		{2, 5, ""}, // down until high
		{3, 0, "weight 5 -> 0 (fallback idle)"},
		{1, 5, "weight 0 -> 5 (fallback)"},
	}
	r.round(fbYAML, healthWith(4), 0)
	for i, s := range seq {
		got := r.round(fbYAML, healthWith(s.healthy), time.Duration(i+1)*time.Second)
		steps := strings.Count(got, "203.0.113.99")
		if s.plan == "" && steps != 0 || s.plan != "" && (steps != 1 || !strings.Contains(got, s.plan)) {
			t.Fatalf("step %d (%d healthy): plan\n%s\nwant one step of the fallback %q", i, s.healthy, got, s.plan)
		}
		if w := r.weight(fbDest); w != s.weight {
			t.Fatalf("step %d: fallback weight %d, want %d", i, w, s.weight)
		}
		if _, draining := r.prev.Draining[DrainKey{Service: r.prev.Target.Services[0].Key, Destination: kernel.NewDestinationKey(netip.MustParseAddr("203.0.113.99"), 80)}]; draining != (s.weight == 0) {
			t.Fatalf("step %d: draining %v", i, r.prev.Draining)
		}
	}
}

func TestFallbackGates(t *testing.T) {
	fbKey := BackendKey{Service: "web", Backend: netip.MustParseAddrPort("203.0.113.99:0")}
	withFB := func(h Health, fb bool) Health { h[fbKey] = fb; return h }
	checked := wmYAML + "    fallback: [{address: 203.0.113.99, weight: 5, checks: [{type: tcp, port: 81}]}]\n"
	tests := []struct {
		name   string
		yaml   string
		health Health
		weight int // -1: not in the target
		reason string
	}{
		{"up: not in the target", fbYAML, healthWith(4), -1, ""},
		{"down: at its weight", fbYAML, healthWith(1), 5, "fallback"},
		{"checked, healthy, down", checked, withFB(healthWith(0), true), 5, "fallback"},
		{"checked, failing, down: not used", checked, withFB(healthWith(0), false), -1, ""},
		{"checked, no verdict yet: as its check starts (up)", checked, healthWith(0), 5, "fallback"},
		{"initial down, no verdict: not used", strings.Replace(checked, "port: 81}", "port: 81, initial: down}", 1), healthWith(0), -1, ""},
		{"disabled", wmYAML + "    fallback: [{address: 203.0.113.99, enabled: false}]\n", healthWith(0), -1, ""},
		{"idle keep, up: weight 0", wmYAML + "    fallback: [{address: 203.0.113.99, weight: 5, idle: keep}]\n", healthWith(4), 0, "fallback idle"},
		{"idle keep, down: at its weight", wmYAML + "    fallback: [{address: 203.0.113.99, weight: 5, idle: keep}]\n", healthWith(1), 5, "fallback"},
		{"idle keep, failing, down: weight 0", strings.Replace(checked, "weight: 5,", "weight: 5, idle: keep,", 1), withFB(healthWith(1), false), 0, "unhealthy"},
		{"no watermarks, a backend healthy", noWM(fbYAML), healthWith(1), -1, ""},
		{"no watermarks, none healthy", noWM(fbYAML), healthWith(0), 5, "fallback"},
		{"no watermarks, all disabled", allDisabled, nil, 5, "fallback"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := effective(services(t, tc.yaml), tc.health, true, nil)
			var found *TargetDestination
			for i, d := range tg.Services[0].Destinations {
				if d.Key.Addr.String() == "203.0.113.99" {
					found = &tg.Services[0].Destinations[i]
				}
			}
			switch {
			case tc.weight < 0 && found != nil:
				t.Fatalf("fallback in the target: %+v", *found)
			case tc.weight >= 0 && found == nil:
				t.Fatalf("fallback not in the target: %+v", tg.Services[0].Destinations)
			case found != nil && (int(found.Config.Weight) != tc.weight || found.Reason.String() != tc.reason):
				t.Fatalf("fallback weight %d (%s), want %d (%s)", found.Config.Weight, found.Reason, tc.weight, tc.reason)
			}
			if h := tg.Status[0].Healthy; h > 4 {
				t.Fatalf("the fallback counted towards the watermarks: %+v", tg.Status[0])
			}
		})
	}
}

// allDisabled is a service without watermarks whose backends are all disabled.
const allDisabled = `
  - name: web
    vip: 192.0.2.10
    ports: [{proto: tcp, port: 80}]
    backends: [{address: 198.51.100.1, enabled: false}, {address: 198.51.100.2, enabled: false}]
    fallback: [{address: 203.0.113.99, weight: 5}]
`

// noWM drops the watermarks of a wmYAML-based config.
func noWM(yaml string) string {
	return strings.Replace(yaml, "    watermarks: {low: 0.5, high: 0.75}\n", "", 1)
}

// TestFallbackRestartWhileDown: a restart while the service is down reads
// the backends' verdicts back from the kernel (AdoptedHealth), so the
// service stays down and the fallback stays: the first plan is empty.
func TestFallbackRestartWhileDown(t *testing.T) {
	checkedBackends := fbYAML
	checkedFallback := strings.Replace(checkedBackends, "weight: 5}", "weight: 5, checks: [{type: tcp, port: 81}]}", 1)
	keep := strings.Replace(checkedBackends, "weight: 5}", "weight: 5, idle: keep}", 1)
	for name, yaml := range map[string]string{"plain": checkedBackends, "checked fallback": checkedFallback, "idle keep": keep} {
		t.Run(name, func(t *testing.T) {
			r := newFBRounds(t)
			h := healthWith(1)
			h[BackendKey{Service: "web", Backend: netip.MustParseAddrPort("203.0.113.99:0")}] = true
			r.round(yaml, h, 0)
			if r.weight(fbDest) != 5 {
				t.Fatalf("fallback weight %d before the restart", r.weight(fbDest))
			}
			cfg := services(t, yaml)
			adopted := AdoptedHealth(cfg, snapshot(t, r.c))
			out := Compute(snapshot(t, r.c), Inputs{Config: cfg, Health: adopted, Master: true, Now: t0.Add(time.Minute)})
			if !out.Plan.Empty() {
				t.Fatalf("restart while down (adopted %v):\n%s", adopted, planText(t, out.Plan))
			}
			if out.Target.Status[0].Up || out.Target.Status[0].Fallback != 1 {
				t.Fatalf("status after restart %+v", out.Target.Status[0])
			}
		})
	}
}

// TestFallbackRestartWhileUpKeepsIdle: with idle: keep, the fallback at
// weight 0 reads as idle, not as failed: a restart with its checks up
// plans nothing.
func TestFallbackRestartWhileUpKeepsIdle(t *testing.T) {
	yaml := strings.Replace(fbYAML, "weight: 5}", "weight: 5, idle: keep, checks: [{type: tcp, port: 81}]}", 1)
	r := newFBRounds(t)
	r.round(yaml, healthWith(4), 0)
	cfg := services(t, yaml)
	adopted := AdoptedHealth(cfg, snapshot(t, r.c))
	if _, ok := adopted[BackendKey{Service: "web", Backend: netip.MustParseAddrPort("203.0.113.99:0")}]; ok {
		t.Fatalf("an idle fallback at weight 0 was read back as a verdict: %v", adopted)
	}
	if out := Compute(snapshot(t, r.c), Inputs{Config: cfg, Health: adopted, Master: true, Now: t0}); !out.Plan.Empty() {
		t.Fatalf("restart while up:\n%s", planText(t, out.Plan))
	}
}

// TestFallbackUnderTheGuard: a push that deletes most services is held,
// and the fallback of a service that stays still comes in.
func TestFallbackUnderTheGuard(t *testing.T) {
	_, c := fakeWith(t)
	converge(t, c, services(t, tenServices(10)), nil)
	yaml := "  - {name: s1, vip: 192.0.2.1, ports: [{proto: tcp, port: 80}], checks: [{type: tcp}], backends: [{address: 198.51.100.1}],\n" +
		"     fallback: [{address: 203.0.113.99}]}\n"
	bad := Health{BackendKey{Service: "s1", Backend: netip.MustParseAddrPort("198.51.100.1:0")}: false}
	out := Compute(snapshot(t, c), Inputs{Config: services(t, yaml), Health: bad, Master: true, Now: t0})
	text := planText(t, out.Plan)
	if !out.Plan.Held || !strings.Contains(text, "+ destination 203.0.113.99:80 in tcp/192.0.2.1:80 weight 1 forward nat (fallback)") ||
		!strings.Contains(text, "~ destination 198.51.100.1:80 in tcp/192.0.2.1:80 weight 1 -> 0 (unhealthy)") {
		t.Fatalf("held plan:\n%s", text)
	}
	if n := out.Plan.Count()[kernel.DeleteService]; n != 0 {
		t.Fatalf("%d service deletions got through the guard", n)
	}
}

// TestFallbackEveryPort: a fallback is in every IPVS service of its
// service, at the service port unless it has its own.
func TestFallbackEveryPort(t *testing.T) {
	yaml := `
  - name: web
    vip: 192.0.2.10
    ports: [{proto: tcp, port: 80}, {proto: tcp, port: 443}]
    backends: [{address: 198.51.100.1}]
    fallback: [{address: 203.0.113.99}, {address: 203.0.113.98, port: 8080}]
`
	h := Health{BackendKey{Service: "web", Backend: netip.MustParseAddrPort("198.51.100.1:0")}: false}
	tg := effective(services(t, yaml), h, true, nil)
	var got []string
	for _, s := range tg.Services {
		for _, d := range s.Destinations {
			got = append(got, fmt.Sprintf("%s %s %d %s", s.Key, d.Key, d.Config.Weight, d.Reason))
		}
	}
	want := "tcp/192.0.2.10:80 198.51.100.1:80 0 unhealthy|tcp/192.0.2.10:80 203.0.113.98:8080 1 fallback|tcp/192.0.2.10:80 203.0.113.99:80 1 fallback|" +
		"tcp/192.0.2.10:443 198.51.100.1:443 0 unhealthy|tcp/192.0.2.10:443 203.0.113.98:8080 1 fallback|tcp/192.0.2.10:443 203.0.113.99:443 1 fallback"
	if g := strings.Join(got, "|"); g != want {
		t.Fatalf("destinations\n got %s\nwant %s", g, want)
	}
}

// TestLoopFallback drives the fallback through the Loop with the fake
// kernel: health events take the service down (the fallback comes in) and
// up (it goes; the fake has no connections to drain), and a new Loop over
// the same kernel while the service is down adopts it with zero ops.
func TestLoopFallback(t *testing.T) {
	e := newLoopEnv(t)
	e.l.SetConfig(services(t, fbYAML))
	e.l.SetHealth(healthWith(4))
	e.round(t)
	want := "-a -t 192.0.2.10:80 -r 203.0.113.99:80 -m -w 5"
	e.l.SetHealth(healthWith(1))
	st, _ := e.round(t)
	if table := kernel.RenderIPVSADM(snapshot(t, e.raw)); !strings.Contains(table, want) || st.Services[0].Fallback != 1 {
		t.Fatalf("service down: %+v\n%s", st.Services, table)
	}
	e2 := &loopEnv{k: &countingIPVS{IPVS: e.raw}, raw: e.raw, vips: &fakeVIPs{}, now: t0.Add(time.Minute)}
	e2.l = NewLoop(LoopOptions{Kernel: e2.k, VIPs: e2.vips, Now: func() time.Time { return e2.now }})
	cfg := services(t, fbYAML)
	e2.l.SetConfig(cfg)
	e2.l.SetHealth(AdoptedHealth(cfg, snapshot(t, e.raw)))
	if st, _ := e2.round(t); st.Error != "" || sumCounts(st.Applied) != 0 {
		t.Fatalf("a new loop while the fallback serves: %+v", st)
	}
	e2.l.SetHealth(healthWith(4))
	st, _ = e2.round(t)
	if table := kernel.RenderIPVSADM(snapshot(t, e.raw)); strings.Contains(table, "203.0.113.99") || st.Applied[kernel.DeleteDestination] != 1 {
		t.Fatalf("service up: applied %v\n%s", st.Applied, table)
	}
}

// TestFallbackDeleteReadsConnectionsFresh: the deletion of an idle
// fallback ends a drain, so the loop re-reads the kernel's connection
// counts before it, as for a backend removed from the config.
func TestFallbackDeleteReadsConnectionsFresh(t *testing.T) {
	del := func(r Reason) Plan {
		return Plan{Steps: []Step{{Op: kernel.Op{Kind: kernel.DeleteDestination}, Reason: r}}}
	}
	if !deletesUnnamed(del(ReasonFallbackIdle)) || !deletesUnnamed(del(ReasonNotInConfig)) || deletesUnnamed(del(ReasonUnhealthy)) {
		t.Fatal("deletesUnnamed does not single out the deletions that end a drain")
	}
}
