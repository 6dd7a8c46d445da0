package reconcile

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
)

var (
	resyncServices = flag.Int("reconcile.resync-services", 1000,
		"TestSpreadResyncRepairsDriftInVM: services (x 10 destinations); make resynctest uses 10,000")
	resyncCPU = flag.Float64("reconcile.resync-cpu", 0.25,
		"TestSpreadResyncRepairsDriftInVM: node.resync_cpu (a share of one core; the daemon's default is 0.04)")
)

// TestSpreadResyncRepairsDriftInVM runs the loop on the real kernel with
// -reconcile.resync-services services x 10 destinations and a 10 s resync
// interval. One clean cycle must re-read every service's destinations
// exactly once without a full read; then drift made by hand (a weight
// changed, a destination deleted, a foreign destination added, a service
// deleted) must be repaired before the end of the next complete cycle. It
// logs the cycle's length and CPU against one full Snapshot, and checks
// that the CPU the loop counted for the cycle is within its budget
// (-reconcile.resync-cpu) of the cycle's length.
func TestSpreadResyncRepairsDriftInVM(t *testing.T) {
	requireVMIPVS(t)
	n, d, interval := *resyncServices, 10, 10*time.Second
	c, err := kernel.Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Flush(ctx)
	cfg := bigConfig(n, d)
	cfg.Node.ResyncInterval, cfg.Node.ResyncCPU = interval, *resyncCPU
	k := &partsIPVS{IPVS: c, destReads: map[kernel.ServiceKey]int{}}
	l := NewLoop(LoopOptions{Kernel: k})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- l.Run(runCtx, interval) }()
	defer func() { cancel(); <-done }()

	start := time.Now()
	l.SetConfig(cfg)
	for l.Status().OpsApplied < n*(d+1) {
		if time.Since(start) > 5*time.Minute {
			t.Fatalf("cold start not done after 5 minutes: %+v", l.Status())
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("cold start, %d x %d: %v", n, d, time.Since(start).Round(time.Millisecond))
	target := effective(cfg, nil, true, nil)
	converged := func() bool { return diff(snapshot(t, c), target, scopeOf(cfg)).Empty() }
	if !converged() {
		t.Fatal("not converged after the cold start")
	}
	// cycleEnd waits for the end of a cycle: the status's LastFullRead (the
	// start of the last complete cycle) moving on from prev. It returns the
	// new value and when it was seen.
	cycleEnd := func(prev time.Time, limit time.Duration) (time.Time, time.Time) {
		t.Helper()
		for deadline := time.Now().Add(limit); ; time.Sleep(20 * time.Millisecond) {
			if lr := l.Status().LastFullRead; !lr.Equal(prev) {
				return lr, time.Now()
			}
			if time.Now().After(deadline) {
				t.Fatalf("no resync cycle ended within %v", limit)
			}
		}
	}

	// One clean cycle: every service's destinations re-read once, no round,
	// no full read.
	lr, _ := cycleEnd(l.Status().LastFullRead, 60*interval)
	k.mu.Lock()
	clear(k.destReads)
	k.readTime = 0
	k.mu.Unlock()
	rounds, cpu0, since := l.Status().Rounds, cpuTime(), time.Now()
	lr, _ = cycleEnd(lr, 60*interval)
	cpu, wall := cpuTime()-cpu0, time.Since(since)
	k.mu.Lock()
	reread, snaps, readTime := k.destReads, k.snapshots, k.readTime
	k.mu.Unlock()
	t.Logf("one clean cycle: %v long (interval %v), %v CPU (%.1f%% of a core, the dumps' kernel time included), %v in the reads, %d rounds",
		wall.Round(time.Millisecond), interval, cpu.Round(time.Millisecond), 100*cpu.Seconds()/wall.Seconds(),
		readTime.Round(time.Millisecond), l.Status().Rounds-rounds)
	fullCPU0, fullStart := cpuTime(), time.Now()
	if s, err := c.Snapshot(ctx); err != nil || len(s.Services) != n {
		t.Fatalf("full read: %d services, %v", len(s.Services), err)
	}
	t.Logf("peer: one full Snapshot (the unspread resync): %v wall, %v CPU",
		time.Since(fullStart).Round(time.Millisecond), (cpuTime() - fullCPU0).Round(time.Millisecond))
	r := l.Status().Resync
	share := r.LastCycleCPU.Seconds() / r.LastCycle.Seconds()
	t.Logf("the loop's count of the last cycle: %v long, %v CPU (%.1f%% of a core; budget %.1f%%), %d services, stretched %v",
		r.LastCycle.Round(time.Millisecond), r.LastCycleCPU.Round(time.Millisecond), 100*share, 100*r.CPUBudget, r.LastCycleServices, r.LastCycleStretched)
	if r.Cycles == 0 || r.LastCycleCPU <= 0 || share > r.CPUBudget*1.02 || r.LastCycleServices != n || r.CPUBudget != *resyncCPU {
		t.Errorf("the cycle's CPU as counted: %+v (%.1f%% of a core); want some CPU, at most the budget %v, %d services", r, 100*share, *resyncCPU, n)
	}
	if len(reread) != n || snaps != 1 {
		t.Fatalf("one clean cycle re-read %d of %d services' destinations, with %d full reads; want all, and only the first round's full read", len(reread), n, snaps)
	}
	for key, times := range reread {
		if times != 1 {
			t.Fatalf("%s re-read %d times in one cycle", key, times)
		}
	}

	// Drift by hand, through another client, as ipvsadm would.
	s := snapshot(t, c)
	weight := s.Services[n*7/10].Destinations[3]
	weight.Config.Weight = 77
	gone := s.Services[n/8].Destinations[5]
	last := s.Services[n-1]
	foreign := kernel.NewDestinationKey(last.Destinations[len(last.Destinations)-1].Key.Addr.Next(), 80)
	drift := []kernel.Op{
		{Kind: kernel.UpdateDestination, Service: s.Services[n*7/10].Key, Destination: weight.Key, DestinationConfig: weight.Config},
		{Kind: kernel.DeleteDestination, Service: s.Services[n/8].Key, Destination: gone.Key},
		{Kind: kernel.AddDestination, Service: last.Key, Destination: foreign, DestinationConfig: kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: 1}},
		{Kind: kernel.DeleteService, Service: s.Services[42].Key},
	}
	res, err := c.Apply(ctx, drift)
	for _, r := range res {
		if err == nil {
			err = r.Err
		}
	}
	if err != nil {
		t.Fatalf("hand-made drift: %v", err)
	}
	made := time.Now()
	// The cycle running now may have passed the drifted services; the next
	// one reads them all.
	lr, _ = cycleEnd(lr, 60*interval)
	_, second := cycleEnd(lr, 60*interval)
	repaired := converged()
	t.Logf("drift (4 changes) made; the next full cycle ended %v later; repaired: %v", second.Sub(made).Round(time.Millisecond), repaired)
	if !repaired {
		t.Fatal("drift not repaired by the end of the next complete resync cycle")
	}
}
