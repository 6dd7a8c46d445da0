package reconcile

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
)

// partsIPVS counts the reads of a kernel: full reads, service dumps, and
// the destination dumps of each service.
type partsIPVS struct {
	kernel.IPVS
	mu           sync.Mutex
	snapshots    int
	serviceDumps int
	destReads    map[kernel.ServiceKey]int
	readTime     time.Duration // in Services and DestinationsOf
}

func (p *partsIPVS) Snapshot(ctx context.Context) (kernel.Snapshot, error) {
	p.mu.Lock()
	p.snapshots++
	p.mu.Unlock()
	return p.IPVS.Snapshot(ctx)
}

func (p *partsIPVS) Services(ctx context.Context) ([]kernel.Service, error) {
	start := time.Now()
	svcs, err := p.IPVS.Services(ctx)
	p.mu.Lock()
	p.serviceDumps++
	p.readTime += time.Since(start)
	p.mu.Unlock()
	return svcs, err
}

func (p *partsIPVS) DestinationsOf(ctx context.Context, keys []kernel.ServiceKey) ([][]kernel.Destination, error) {
	start := time.Now()
	ds, err := p.IPVS.DestinationsOf(ctx, keys)
	p.mu.Lock()
	for _, k := range keys {
		p.destReads[k]++
	}
	p.readTime += time.Since(start)
	p.mu.Unlock()
	return ds, err
}

func (p *partsIPVS) VisitDestinations(ctx context.Context, keys []kernel.ServiceKey, visit func(int, []kernel.Destination)) error {
	start := time.Now()
	err := p.IPVS.VisitDestinations(ctx, keys, visit)
	p.mu.Lock()
	for _, k := range keys {
		p.destReads[k]++
	}
	p.readTime += time.Since(start)
	p.mu.Unlock()
	return err
}

// convergedSpreadLoop returns a loop that converged a fake kernel to n
// services x 3 backends, with a spread resync of the given slices.
func convergedSpreadLoop(t *testing.T, n, slices int) (*Loop, *partsIPVS, kernel.IPVS) {
	t.Helper()
	_, raw := fakeWith(t)
	k := &partsIPVS{IPVS: raw, destReads: map[kernel.ServiceKey]int{}}
	l := NewLoop(LoopOptions{Kernel: k, Now: func() time.Time { return t0 }})
	l.SetConfig(bigConfig(n, 3))
	l.drainEvents()
	l.Round(context.Background())
	if st := l.Status(); st.Error != "" || sumCounts(st.Applied) != n*4 {
		t.Fatalf("first round: %+v", st)
	}
	l.spread = newSpread(time.Duration(slices) * time.Second)
	return l, k, raw
}

func TestSpreadResyncReadsEveryServiceOncePerInterval(t *testing.T) {
	const n, slices = 100, 7
	l, k, _ := convergedSpreadLoop(t, n, slices)
	for i := range slices {
		if round := l.resyncStep(context.Background(), t0.Add(time.Duration(i)*time.Second)); round != (i == slices-1) {
			t.Fatalf("step %d asked for a round: %v; want one only after the last slice", i, round)
		}
	}
	if k.snapshots != 1 || k.serviceDumps != 1 || len(k.destReads) != n {
		t.Fatalf("one interval: %d full reads, %d service dumps, %d services' destinations read; want 1, 1, %d",
			k.snapshots, k.serviceDumps, len(k.destReads), n)
	}
	for key, reads := range k.destReads {
		if reads != 1 {
			t.Fatalf("%s read %d times in one interval", key, reads)
		}
	}
	if st := l.Status(); !st.LastFullRead.Equal(t0) || !l.liveOK {
		t.Fatalf("after a clean cycle: last full read %v (want the cycle's start %v), cache valid %v", st.LastFullRead, t0, l.liveOK)
	}
}

func TestSpreadResyncRepairsHandMadeDrift(t *testing.T) {
	const n, slices = 100, 10
	ctx := context.Background()
	l, k, raw := convergedSpreadLoop(t, n, slices)
	s := snapshot(t, raw)
	victim := s.Services[73]
	d := victim.Destinations[1]
	d.Config.Weight = 99
	mustApply(t, raw, []kernel.Op{{Kind: kernel.UpdateDestination, Service: victim.Key, Destination: d.Key, DestinationConfig: d.Config}})

	step := 0
	for ; step < slices && !l.resyncStep(ctx, t0); step++ {
	}
	if step != 73*slices/n || !l.liveOK || l.prev != nil {
		t.Fatalf("drift in service #73 found at step %d (cache valid %v, incremental base kept %v); want step %d of %d, the cache updated, a full plan next",
			step, l.liveOK, l.prev != nil, 73*slices/n, slices)
	}
	l.Round(ctx)
	if st := l.Status(); k.snapshots != 1 || st.Applied[kernel.UpdateDestination] != 1 || sumCounts(st.Applied) != 1 {
		t.Fatalf("repair: %d full reads, applied %v; want no re-read and one update", k.snapshots, st.Applied)
	}
	if p := diff(snapshot(t, raw), effective(l.cfg, nil, true, nil), scopeOf(l.cfg)); !p.Empty() {
		t.Fatalf("drift not repaired:\n%s", planText(t, p))
	}

	// A service deleted by hand is found by the next cycle's service dump.
	mustApply(t, raw, []kernel.Op{{Kind: kernel.DeleteService, Service: s.Services[5].Key}})
	for step++; step < slices; step++ {
		l.resyncStep(ctx, t0) // the rest of the cycle
	}
	if !l.resyncStep(ctx, t0) {
		t.Fatal("a service deleted by hand was not found by the next cycle's first step")
	}
	l.Round(ctx)
	if p := diff(snapshot(t, raw), effective(l.cfg, nil, true, nil), scopeOf(l.cfg)); !p.Empty() || k.snapshots != 1 {
		t.Fatalf("deleted service not restored (%d full reads):\n%s", k.snapshots, planText(t, p))
	}
}

func TestSpreadResyncWaitsForBackoffAfterAFailedRound(t *testing.T) {
	l, k, _ := convergedSpreadLoop(t, 10, 5)
	l.liveOK = false // as after an uncertain apply
	if l.resyncStep(context.Background(), t0) {
		t.Fatal("a step forced a round while the retry waits for its backoff")
	}
	if k.serviceDumps != 0 || len(k.destReads) != 0 {
		t.Fatalf("a step read the kernel while the cache is invalid: %d dumps, %d services", k.serviceDumps, len(k.destReads))
	}
}

func TestRunRepairsDriftWithinTheResyncInterval(t *testing.T) {
	const interval = 3 * time.Second
	cfg := bigConfig(30, 2)
	cfg.Node.ResyncInterval = interval
	_, raw := fakeWith(t)
	k := &partsIPVS{IPVS: raw, destReads: map[kernel.ServiceKey]int{}}
	l := NewLoop(LoopOptions{Kernel: k})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- l.Run(ctx, interval) }()
	defer func() { cancel(); <-done }()
	l.SetConfig(cfg)
	converged := func() bool {
		return diff(snapshot(t, raw), effective(cfg, nil, true, nil), scopeOf(cfg)).Empty()
	}
	for deadline := time.Now().Add(5 * time.Second); !converged(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("not converged 5 s after the config")
		}
	}
	s := snapshot(t, raw)
	d := s.Services[20].Destinations[0]
	d.Config.Weight = 0
	mustApply(t, raw, []kernel.Op{{Kind: kernel.UpdateDestination, Service: s.Services[20].Key, Destination: d.Key, DestinationConfig: d.Config}})
	drifted := time.Now()
	for !converged() {
		if time.Since(drifted) > interval+time.Second {
			t.Fatalf("drift not repaired %v after it was made (resync interval %v)", time.Since(drifted).Round(time.Millisecond), interval)
		}
		time.Sleep(10 * time.Millisecond)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.serviceDumps == 0 || k.snapshots != 1 {
		t.Fatalf("%d service dumps and %d full reads; want the spread resync's dumps and only the first round's full read", k.serviceDumps, k.snapshots)
	}
}

func TestResyncSlicesBoundTheStep(t *testing.T) {
	for _, tc := range []struct {
		interval time.Duration
		n, want  int
	}{
		{30 * time.Second, 100, 30},      // one a second
		{30 * time.Second, 10000, 100},   // at most 100 services a step
		{time.Second, 10000, 1},          // under two seconds: full reads
		{time.Hour, 10000, 3600},         // one a second
		{10 * time.Second, 100000, 1000}, // 100 a step
	} {
		if got := resyncSlices(tc.interval, tc.n); got != tc.want {
			t.Errorf("resyncSlices(%v, %d) = %d, want %d", tc.interval, tc.n, got, tc.want)
		}
	}
}

func TestFindServiceSortedOrNot(t *testing.T) {
	_, _, raw := convergedSpreadLoop(t, 50, 5)
	s := snapshot(t, raw)
	for i, svc := range s.Services {
		if j := findService(s.Services, svc.Key); j != i {
			t.Fatalf("sorted cache: %s found at %d, want %d", svc.Key, j, i)
		}
	}
	shuffled := slices.Clone(s.Services)
	slices.Reverse(shuffled)
	shuffled[3], shuffled[40] = shuffled[40], shuffled[3]
	for i, svc := range shuffled {
		if j := findService(shuffled, svc.Key); j != i {
			t.Fatalf("unsorted cache: %s found at %d, want %d", svc.Key, j, i)
		}
	}
	if j := findService(shuffled, kernel.NewServiceKey(kernel.TCP, netip.MustParseAddr("203.0.113.9"), 1)); j != -1 {
		t.Fatalf("an absent key found at %d", j)
	}
}
