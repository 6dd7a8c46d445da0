package reconcile

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testenv"
	"github.com/seesaw-lb/seesaw/kernel"
)

// countingIPVS wraps a kernel, counts full reads and can fail applies.
type countingIPVS struct {
	kernel.IPVS
	mu        sync.Mutex
	snapshots int
	failNext  int // the next n Apply calls report every op uncertain
}

func (c *countingIPVS) Snapshot(ctx context.Context) (kernel.Snapshot, error) {
	c.mu.Lock()
	c.snapshots++
	c.mu.Unlock()
	return c.IPVS.Snapshot(ctx)
}

func (c *countingIPVS) Apply(ctx context.Context, ops []kernel.Op) ([]kernel.Result, error) {
	c.mu.Lock()
	fail := c.failNext > 0
	if fail {
		c.failNext--
	}
	c.mu.Unlock()
	if !fail {
		return c.IPVS.Apply(ctx, ops)
	}
	res := make([]kernel.Result, len(ops))
	for i, op := range ops {
		res[i] = kernel.Result{Op: op, Err: kernel.ErrUncertain, Uncertain: true}
	}
	return res, nil
}

// fakeVIPs records the addresses it is asked to hold.
type fakeVIPs struct{ held []Address }

func (f *fakeVIPs) Sync(_ context.Context, target []Address, _ AddressPolicy) ([]Address, error) {
	f.held = target
	return target, nil
}

type loopEnv struct {
	l    *Loop
	k    *countingIPVS
	raw  kernel.IPVS
	vips *fakeVIPs
	now  time.Time
}

func newLoopEnv(t *testing.T, pre ...kernel.Op) *loopEnv {
	_, c := fakeWith(t, pre...)
	e := &loopEnv{k: &countingIPVS{IPVS: c}, raw: c, vips: &fakeVIPs{}, now: t0}
	e.l = NewLoop(LoopOptions{Kernel: e.k, VIPs: e.vips, Now: func() time.Time { return e.now }})
	return e
}

// round runs the queued inputs and one round, as Run does.
func (e *loopEnv) round(t *testing.T) (Status, time.Duration) {
	t.Helper()
	e.l.drainEvents()
	wait := e.l.Round(context.Background())
	return e.l.Status(), wait
}

func TestLoopAdoptsKernelAndAppliesOneEdit(t *testing.T) {
	cfg := services(t, webYAML)
	_, c := fakeWith(t)
	converge(t, c, cfg, nil) // the previous daemon's work
	e := &loopEnv{k: &countingIPVS{IPVS: c}, raw: c, vips: &fakeVIPs{}, now: t0}
	e.l = NewLoop(LoopOptions{Kernel: e.k, VIPs: e.vips, Now: func() time.Time { return e.now }})

	e.l.SetConfig(cfg)
	st, _ := e.round(t)
	if st.Error != "" || sumCounts(st.Applied) != 0 || e.k.snapshots != 1 || st.Generation != 1 {
		t.Fatalf("restart: %+v, %d reads", st, e.k.snapshots)
	}
	if len(e.vips.held) != 1 {
		t.Fatalf("VIPs held: %v", e.vips.held)
	}

	e.l.SetConfig(services(t, strings.Replace(webYAML, "weight: 20}", "weight: 25}", 1)))
	st, _ = e.round(t)
	if len(st.LastPlan) != 2 || st.LastPlan[0] != "~ destination 198.51.100.22:80 in tcp/192.0.2.10:80 weight 20 -> 25" {
		t.Fatalf("status plan: %q", st.LastPlan)
	}
	if sumCounts(st.Applied) != 2 || st.Applied[kernel.UpdateDestination] != 2 || e.k.snapshots != 1 {
		t.Fatalf("edit: applied %v with %d reads, want 2 updates (ports 80, 443) and no re-read", st.Applied, e.k.snapshots)
	}
	if again := diff(snapshot(t, c), effective(e.l.cfg, nil, true, nil), scopeOf(e.l.cfg)); !again.Empty() {
		t.Fatalf("kernel not converged:\n%s", planText(t, again))
	}
}

func TestLoopKeepsLastGoodConfig(t *testing.T) {
	e := newLoopEnv(t)
	e.l.SetConfig(services(t, webYAML))
	e.round(t)
	before := kernel.RenderIPVSADM(snapshot(t, e.raw))

	e.l.ConfigError(errors.New("web.yaml:4:20: services[0].ports[0].port: 70000 is out of range"))
	st, _ := e.round(t)
	if !strings.Contains(st.ConfigError, "web.yaml:4:20") || st.Generation != 1 || sumCounts(st.Applied) != 0 {
		t.Fatalf("status after invalid config: %+v", st)
	}
	if kernel.RenderIPVSADM(snapshot(t, e.raw)) != before {
		t.Fatal("invalid config changed the kernel")
	}
	e.l.SetConfig(services(t, webYAML))
	if st, _ = e.round(t); st.ConfigError != "" || st.Generation != 2 {
		t.Fatalf("fixed config: %+v", st)
	}
}

func TestLoopRepairsDriftOnResync(t *testing.T) {
	e := newLoopEnv(t)
	e.l.SetConfig(services(t, webYAML))
	e.round(t)
	svc := kernel.NewServiceKey(kernel.TCP, netip.MustParseAddr("192.0.2.10"), 80)
	mustApply(t, e.raw, []kernel.Op{{Kind: kernel.DeleteDestination, Service: svc,
		Destination: kernel.NewDestinationKey(netip.MustParseAddr("198.51.100.21"), 80)}})

	if st, _ := e.round(t); sumCounts(st.Applied) != 0 {
		t.Fatalf("drift repaired without a re-read: %v", st.Applied)
	}
	e.l.Resync()
	st, _ := e.round(t)
	if st.Applied[kernel.AddDestination] != 1 || e.k.snapshots != 2 {
		t.Fatalf("resync: applied %v, %d reads", st.Applied, e.k.snapshots)
	}
}

func TestLoopRetriesUncertainApplyWithBackoff(t *testing.T) {
	e := newLoopEnv(t)
	e.k.failNext = 2
	e.l.SetConfig(services(t, webYAML))
	st, wait := e.round(t)
	if st.Error == "" || wait != DefaultBackoff.Min || st.Failed[kernel.AddService] != 2 {
		t.Fatalf("first failure: wait %v, %+v", wait, st)
	}
	if _, wait = e.round(t); wait != 2*DefaultBackoff.Min || e.k.snapshots != 2 {
		t.Fatalf("second failure: wait %v, %d reads (want a re-read per retry)", wait, e.k.snapshots)
	}
	st, wait = e.round(t)
	if st.Error != "" || wait != 0 || e.k.snapshots != 3 || sumCounts(st.Applied) != 8 {
		t.Fatalf("recovery: wait %v, reads %d, %+v", wait, e.k.snapshots, st)
	}
}

func TestLoopHealthMastershipAndGuard(t *testing.T) {
	e := newLoopEnv(t)
	e.l.SetConfig(services(t, webYAML))
	e.round(t)
	e.l.SetHealth(Health{{Service: "web", Backend: mustAP("198.51.100.21:0")}: false})
	e.l.SetMaster(false)
	st, _ := e.round(t)
	if st.Applied[kernel.UpdateDestination] != 2 || len(e.vips.held) != 0 || st.Master {
		t.Fatalf("unhealthy backend as backup: %+v, VIPs %v", st, e.vips.held)
	}
	e.l.SetConfig(config(t, "node.yaml", guardAllNode, "svc.yaml", "services:\n"+tenServices(1)))
	before := kernel.RenderIPVSADM(snapshot(t, e.raw))
	e.l.SetMaster(true)
	st, _ = e.round(t)
	// The deletions are held back: web stays as it was; the new s1 is added.
	after := kernel.RenderIPVSADM(snapshot(t, e.raw))
	added := "-A -t 192.0.2.1:80 -s wlc\n-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 1\n"
	if !strings.Contains(st.Held, "mass-delete guard") || !sameLines(after, before+added) {
		t.Fatalf("guard: %+v\nbefore:\n%safter:\n%s", st, before, after)
	}
	if len(e.vips.held) != 1 || e.vips.held[0].Prefix.String() != "192.0.2.1/32" {
		t.Fatalf("a held plan blocked the takeover: VIPs %v", e.vips.held)
	}
}

func TestLoopDrainWakeup(t *testing.T) {
	e := newLoopEnv(t)
	two := webYAML
	e.l.SetConfig(services(t, two))
	e.round(t)
	// Drop backend .22 from config; the fake reports no connections, so it
	// goes at once; with connections it would wait for the drain deadline.
	e.l.SetConfig(services(t, strings.Replace(two, "      - {address: 198.51.100.22, weight: 20}\n", "", 1)))
	reads := e.k.snapshots
	st, wait := e.round(t)
	if st.Applied[kernel.DeleteDestination] != 2 || wait != 0 {
		t.Fatalf("removed backend without connections: %v, wait %v", st.Applied, wait)
	}
	if e.k.snapshots != reads+1 {
		t.Fatalf("deleted a removed backend on cached connection counts (%d reads, want %d)", e.k.snapshots, reads+1)
	}
}

func TestBackoff(t *testing.T) {
	b := Backoff{Min: time.Second, Max: 5 * time.Second}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 5 * time.Second, 40: 5 * time.Second} {
		if got := b.Delay(n); got != want {
			t.Errorf("Delay(%d) = %v, want %v", n, got, want)
		}
	}
}

// waitFor polls cond for up to 10 s (a bound, not a timing assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testenv.Eventually(t, 10*time.Second, cond, "%s", what)
}

func TestLoopRunStopsLeavingKernel(t *testing.T) {
	e := newLoopEnv(t)
	e.l = NewLoop(LoopOptions{Kernel: e.k})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.l.Run(ctx, time.Hour) }()
	e.l.SetConfig(services(t, webYAML))
	waitFor(t, "first round", func() bool { return e.l.Status().Rounds >= 1 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := len(snapshot(t, e.raw).Services); got != 2 {
		t.Fatalf("after stop the kernel has %d services, want 2 (left as is)", got)
	}
}

func TestLoopInputsAfterStopDoNotBlock(t *testing.T) {
	e := newLoopEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.l.Run(ctx, time.Hour) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	sent := make(chan struct{})
	go func() {
		for range 1000 { // far more than any queue would hold
			e.l.SetMaster(false)
			e.l.Resync()
		}
		close(sent)
	}()
	select {
	case <-sent:
	case <-time.After(10 * time.Second):
		t.Fatal("inputs sent after Run returned blocked their sender")
	}
}

// failingVIPs fails every sync.
type failingVIPs struct{}

func (failingVIPs) Sync(context.Context, []Address, AddressPolicy) ([]Address, error) {
	return nil, errors.New("add address 192.0.2.10/32 to eth1: no such interface")
}

func TestLoopVIPFailureRetriesWithoutReRead(t *testing.T) {
	e := newLoopEnv(t)
	e.l = NewLoop(LoopOptions{Kernel: e.k, VIPs: failingVIPs{}, Now: func() time.Time { return e.now }})
	e.l.SetConfig(services(t, webYAML))
	st, wait := e.round(t)
	if !strings.Contains(st.Error, "no such interface") || wait != DefaultBackoff.Min || st.Applied[kernel.AddService] != 2 {
		t.Fatalf("first round: wait %v, %+v", wait, st)
	}
	if _, wait = e.round(t); wait != 2*DefaultBackoff.Min || e.k.snapshots != 1 {
		t.Fatalf("retry: wait %v, %d reads (an address failure must not distrust the IPVS cache)", wait, e.k.snapshots)
	}
}

// guardAllNode is the test node with a guard that counts every deletion.
const guardAllNode = "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]}, mass_delete: {min_count: 0}}\n"

// sameLines reports whether a and b hold the same lines in any order.
func sameLines(a, b string) bool {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
