package reconcile

import (
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/internal/benchrow"
	"github.com/seesaw-lb/seesaw/kernel"
)

// bigConfig builds n services with d destinations each, as desired.Load
// would (sorted names, defaults), without parsing YAML.
func bigConfig(n, d int) desired.Config {
	cfg := desired.Config{Node: desired.Node{Name: "lb1", Interfaces: []string{"eth1"},
		Scope:      desired.Scope{Prefixes: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
		MassDelete: desired.MassDeleteGuard{MaxShare: 0.5}}}
	for i := range n {
		s := desired.Service{Name: fmt.Sprintf("svc%05d", i),
			VIP:   netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}),
			Ports: []desired.Port{{Proto: desired.TCP, Port: 80}}, Scheduler: "wrr", Forward: desired.ForwardDR,
			DrainTimeout: time.Minute, OnUnhealthy: desired.Drain}
		for j := range d {
			s.Backends = append(s.Backends, desired.Backend{Address: netip.AddrFrom4([4]byte{172, 16, byte(j), byte(i % 250)}),
				Weight: 10, Enabled: true, Forward: desired.ForwardDR})
		}
		cfg.Services = append(cfg.Services, s)
	}
	return cfg
}

// liveOf renders a target as the kernel would report it.
func liveOf(t Target) kernel.Snapshot {
	var s kernel.Snapshot
	for _, ts := range t.Services {
		ks := kernel.Service{Key: ts.Key, Config: ts.Config}
		for _, d := range ts.Destinations {
			ks.Destinations = append(ks.Destinations, kernel.Destination{Key: d.Key, Config: d.Config})
		}
		s.Services = append(s.Services, ks)
	}
	return s
}

// naivePlan is the peer: a planner that rebuilds everything (delete every
// live service, add every target service and destination), as a
// flush-and-restore script (ipvsadm -C; ipvsadm -R) does.
func naivePlan(live kernel.Snapshot, t Target) []kernel.Op {
	ops := make([]kernel.Op, 0, len(live.Services)+len(t.Services)*11)
	for _, s := range live.Services {
		ops = append(ops, kernel.Op{Kind: kernel.DeleteService, Service: s.Key})
	}
	for _, s := range t.Services {
		ops = append(ops, kernel.Op{Kind: kernel.AddService, Service: s.Key, ServiceConfig: s.Config})
		for _, d := range s.Destinations {
			ops = append(ops, kernel.Op{Kind: kernel.AddDestination, Service: s.Key, Destination: d.Key, DestinationConfig: d.Config})
		}
	}
	return ops
}

const benchServices, benchDests = 10000, 10

type benchEnv struct {
	cfg    desired.Config
	live   kernel.Snapshot
	health Health // one backend unhealthy: the one-backend change
}

func newBenchEnv() benchEnv {
	cfg := bigConfig(benchServices, benchDests)
	s := &cfg.Services[benchServices/2]
	return benchEnv{cfg: cfg, live: liveOf(effective(cfg, nil, true, nil)),
		health: Health{HealthKey(s, &s.Backends[3]): false}}
}

func benchCompute(b *testing.B, env benchEnv, h Health, wantSteps int) {
	b.ReportAllocs()
	for b.Loop() {
		o := Compute(env.live, Inputs{Config: env.cfg, Health: h, Master: true, Now: t0})
		if len(o.Plan.Steps) != wantSteps {
			b.Fatalf("plan has %d steps, want %d", len(o.Plan.Steps), wantSteps)
		}
	}
}

func BenchmarkPlanNoop(b *testing.B) { benchCompute(b, newBenchEnv(), nil, 0) }

func BenchmarkPlanOneBackend(b *testing.B) {
	env := newBenchEnv()
	benchCompute(b, env, env.health, 1)
}

func BenchmarkNaiveRebuild(b *testing.B) {
	env := newBenchEnv()
	b.ReportAllocs()
	for b.Loop() {
		t := effective(env.cfg, env.health, true, nil)
		if ops := naivePlan(env.live, t); len(ops) != benchServices*(2+benchDests) {
			b.Fatalf("%d ops", len(ops))
		}
	}
}

// BenchmarkFakeSnapshot reads the same table from the fake kernel through
// the netlink codec: what a full re-read costs in process.
func BenchmarkFakeSnapshot(b *testing.B) {
	env := newBenchEnv()
	_, c := fakeWith(b, naivePlan(kernel.Snapshot{}, effective(env.cfg, nil, true, nil))...)
	b.ReportAllocs()
	for b.Loop() {
		if s := snapshot(b, c); len(s.Services) != benchServices {
			b.Fatalf("%d services", len(s.Services))
		}
	}
}

// measure runs fn n times after setup and returns wall and process CPU
// time per run after one warm-up run (CPU includes the garbage collector's other threads) and the
// bytes allocated per run.
func measure(n int, fn func()) (wall, cpu time.Duration, bytes uint64) {
	fn() // warm-up: first-touch page faults are not planning work
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	c0, t0 := cpuTime(), time.Now()
	for range n {
		fn()
	}
	wall, cpu = time.Since(t0)/time.Duration(n), (cpuTime()-c0)/time.Duration(n)
	runtime.ReadMemStats(&m1)
	return wall, cpu, (m1.TotalAlloc - m0.TotalAlloc) / uint64(n)
}

func cpuTime() time.Duration {
	d, _ := processCPU()
	return d
}

// TestBenchmarkTable prints the reconcile benchmark table with ratios
// against the peers measured in the same run (SEESAW_BENCH=1).
func TestBenchmarkTable(t *testing.T) {
	if os.Getenv("SEESAW_BENCH") != "1" {
		t.Skip("set SEESAW_BENCH=1 to print the benchmark table")
	}
	env := newBenchEnv()
	_, c := fakeWith(t, naivePlan(kernel.Snapshot{}, effective(env.cfg, nil, true, nil))...)
	plan := func(h Health, want int) func() {
		return func() {
			if o := Compute(env.live, Inputs{Config: env.cfg, Health: h, Master: true, Now: t0}); len(o.Plan.Steps) != want {
				t.Fatalf("plan has %d steps, want %d", len(o.Plan.Steps), want)
			}
		}
	}
	prevIn := Inputs{Config: env.cfg, Master: true, Now: t0}
	prev := Round{Inputs: prevIn, Outcome: Compute(env.live, prevIn)}
	incremental := func() {
		in := Inputs{Config: env.cfg, Health: env.health, Master: true, States: prev.Outcome.States, Now: t0}
		if o, ok := ComputeIncremental(env.live, in, prev); !ok || len(o.Plan.Steps) != 1 {
			t.Fatalf("incremental plan: taken %v, %d steps, want 1", ok, len(o.Plan.Steps))
		}
	}
	rows := []struct {
		name string
		n    int
		fn   func()
	}{
		{"plan no-op (Effective+Drain+Diff+Guard)", 20, plan(nil, 0)},
		{"plan one-backend change", 20, plan(env.health, 1)},
		{"plan one-backend change, incremental", 20, incremental},
		{"peer: naive full-rebuild planner", 20, func() { naivePlan(env.live, effective(env.cfg, env.health, true, nil)) }},
		{"peer: fake kernel Snapshot (netlink codec)", 3, func() { snapshot(t, c) }},
	}
	type res struct {
		wall, cpu time.Duration
		bytes     uint64
	}
	const naive = 3 // the rows of the peers: naive planner, then snapshot
	out := make([]res, len(rows))
	for i, r := range rows {
		out[i].wall, out[i].cpu, out[i].bytes = measure(r.n, r.fn)
	}
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	fmt.Printf("reconcile: %d services x %d destinations, GOMAXPROCS=%d\n", benchServices, benchDests, runtime.GOMAXPROCS(0))
	fmt.Printf("%-44s %9s %9s %8s %10s %12s\n", "figure", "wall ms", "CPU ms", "MB/op", "CPU/naive", "CPU/snapshot")
	for i, r := range rows {
		fmt.Printf("%-44s %9.1f %9.1f %8.1f %9.2fx %11.3fx\n", r.name, ms(out[i].wall), ms(out[i].cpu),
			float64(out[i].bytes)/1e6, float64(out[i].cpu)/float64(out[naive].cpu), float64(out[i].cpu)/float64(out[naive+1].cpu))
	}
	fmt.Printf("heap in use after the runs: %.0f MB (config, live table, fake kernel)\n", float64(mem.HeapInuse)/1e6)
	for i, r := range rows {
		if !strings.HasPrefix(r.name, "peer") {
			benchrow.Write(os.Stdout, "reconcile (peer: naive full-rebuild planner)", r.name+", CPU",
				fmt.Sprintf("%.1f ms", ms(out[i].cpu)), fmt.Sprintf("%.1f ms", ms(out[naive].cpu)), float64(out[i].cpu)/float64(out[naive].cpu))
		}
	}
}
