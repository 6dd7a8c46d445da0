package reconcile

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// TestReleaseRemovesVIPsKeepsIPVS: Release on a running master loop removes
// the VIPs before it returns, leaves IPVS and both sync-daemon roles
// running, and later rounds keep the VIPs away until SetMaster(true).
// Once Run has returned, Release still works (inline).
func TestReleaseRemovesVIPsKeepsIPVS(t *testing.T) {
	f := kerneltest.NewIPVS()
	c, err := f.Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fa := kerneltest.NewAddresses("eth1")
	l := NewLoop(LoopOptions{Kernel: c, SyncDaemons: c, VIPs: NewVIPs(fa, nil), Now: func() time.Time { return t0 }})
	l.SetConfig(config(t, "node.yaml", `node:
  name: lb1
  interface: eth1
  scope: {prefixes: [192.0.2.0/24]}
  vrrp: {vrid: 60, priority: 200, sync_daemon: {interface: eth1, sync_id: 60}}
`, "svc.yaml", "services:\n"+webYAML))
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- l.Run(ctx, time.Hour) }()
	held := func() int { ps, _ := fa.List(context.Background(), "eth1"); return len(ps) }
	both := kernel.DaemonMaster | kernel.DaemonBackup
	role := func() kernel.DaemonState {
		ds, err := c.Daemons(context.Background())
		if err != nil {
			t.Fatalf("daemons %+v, %v", ds, err)
		}
		var s kernel.DaemonState
		for _, d := range ds {
			s |= d.State
		}
		return s
	}
	waitUntil(t, func() bool { return held() == 1 && l.Status().Rounds > 0 })
	table := kernel.RenderIPVSADM(mustSnapshot(t, c))
	if role() != both || table == "" {
		t.Fatalf("as master: sync daemon %v, table %q", role(), table)
	}

	rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer rcancel()
	if err := l.Release(rctx); err != nil {
		t.Fatal(err)
	}
	if held() != 0 || role() != both {
		t.Fatalf("after Release: %d VIPs held, sync daemon %v", held(), role())
	}
	if got := kernel.RenderIPVSADM(mustSnapshot(t, c)); got != table {
		t.Fatalf("Release changed IPVS:\n%s\nwas:\n%s", got, table)
	}
	rounds := l.Status().Rounds
	l.Resync()
	waitUntil(t, func() bool { return l.Status().Rounds > rounds })
	if held() != 0 || l.Status().Master {
		t.Fatalf("a round after Release: %d VIPs held, master %v", held(), l.Status().Master)
	}

	l.SetMaster(true)
	waitUntil(t, func() bool { return held() == 1 })
	cancel()
	<-runDone
	if err := l.Release(rctx); err != nil || held() != 0 || role() != both {
		t.Fatalf("Release after Run returned: %v, %d VIPs held, sync daemon %v", err, held(), role())
	}
}

func mustSnapshot(t *testing.T, c *kernel.Client) kernel.Snapshot {
	t.Helper()
	s, err := c.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// waitUntil polls cond for up to 5 s.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
	}
}

// stalledIPVS is a kernel whose table reads hang, once stall is set, until
// their context ends (a full read on a very slow host).
type stalledIPVS struct {
	kernel.IPVS
	stall   atomic.Bool
	stalled chan struct{}
}

func (s *stalledIPVS) Snapshot(ctx context.Context) (kernel.Snapshot, error) {
	if s.stall.Load() {
		select {
		case s.stalled <- struct{}{}:
		default:
		}
		<-ctx.Done()
		return kernel.Snapshot{}, ctx.Err()
	}
	return s.IPVS.Snapshot(ctx)
}

// TestReleaseInterruptsRound: Release does not wait for the round in
// flight (here a table read that would never end): it interrupts it and
// removes the VIPs; the loop goes on with its next round.
func TestReleaseInterruptsRound(t *testing.T) {
	k := &stalledIPVS{IPVS: fakeIPVS(t), stalled: make(chan struct{}, 1)}
	l, fa := vrrpLoop(t, k)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go l.Run(ctx, time.Hour)
	held := func() int { ps, _ := fa.List(context.Background(), "eth1"); return len(ps) }
	waitUntil(t, func() bool { return held() == 1 && l.Status().Rounds > 0 })
	k.stall.Store(true)
	l.Resync()
	<-k.stalled
	k.stall.Store(false) // the read in flight still hangs
	rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer rcancel()
	if err := l.Release(rctx); err != nil || held() != 0 {
		t.Fatalf("Release during a stalled round: %v, %d VIPs held", err, held())
	}
	rounds := l.Status().Rounds
	l.Resync()
	waitUntil(t, func() bool { return l.Status().Rounds > rounds && l.Status().Error == "" })
	if held() != 0 {
		t.Fatalf("a round after Release added %d VIPs", held())
	}
}

// TestTakeoverAddsVIPsFirst: a backup loop that becomes master adds the
// VIPs at once, though the round in flight and the next one hang on a
// table read: SetMaster interrupts the one, and the other adds the VIPs
// before it reads.
func TestTakeoverAddsVIPsFirst(t *testing.T) {
	k := &stalledIPVS{IPVS: fakeIPVS(t), stalled: make(chan struct{}, 1)}
	l, fa := vrrpLoop(t, k)
	l.SetMaster(false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go l.Run(ctx, time.Hour)
	held := func() int { ps, _ := fa.List(context.Background(), "eth1"); return len(ps) }
	waitUntil(t, func() bool { return l.Status().Rounds > 0 && l.Status().Error == "" })
	if held() != 0 {
		t.Fatalf("backup holds %d VIPs", held())
	}
	k.stall.Store(true)
	l.Resync()
	<-k.stalled
	l.SetMaster(true)
	waitUntil(t, func() bool { return held() == 1 })
}

// TestTakeoverIsDueUntilTheVIPsAreAdded: once a backup loop is told it is
// master, a takeover is due (Run then lets no resync step go before the
// round) until the round has added the VIPs; a master or a backup that
// stays one has none due.
func TestTakeoverIsDueUntilTheVIPsAreAdded(t *testing.T) {
	l, fa := vrrpLoop(t, fakeIPVS(t))
	l.SetMaster(false)
	l.drainEvents()
	ctx := context.Background()
	l.Round(ctx)
	if l.takeoverDue() {
		t.Fatal("a backup that stays one has a takeover due")
	}
	l.SetMaster(true)
	l.drainEvents()
	if !l.takeoverDue() {
		t.Fatal("no takeover due after the backup became master")
	}
	l.Round(ctx)
	if ps, _ := fa.List(ctx, "eth1"); len(ps) != 1 || l.takeoverDue() {
		t.Fatalf("after the takeover's round: %v held, takeover still due %v", ps, l.takeoverDue())
	}
}

// fakeIPVS is a client of a fresh fake kernel, closed when t ends.
func fakeIPVS(t *testing.T) kernel.IPVS {
	t.Helper()
	c, err := kerneltest.NewIPVS().Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// vrrpLoop is a loop over k and fake addresses on eth1, configured as
// lb1, a VRRP node (VRID 60, priority 200) with the web service.
func vrrpLoop(t *testing.T, k kernel.IPVS) (*Loop, *kerneltest.Addresses) {
	t.Helper()
	fa := kerneltest.NewAddresses("eth1")
	l := NewLoop(LoopOptions{Kernel: k, VIPs: NewVIPs(fa, nil), Now: func() time.Time { return t0 }})
	l.SetConfig(config(t, "node.yaml", `node:
  name: lb1
  interface: eth1
  scope: {prefixes: [192.0.2.0/24]}
  vrrp: {vrid: 60, priority: 200}
`, "svc.yaml", "services:\n"+webYAML))
	return l, fa
}
