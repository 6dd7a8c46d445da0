//go:build linux

package checks

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/internal/benchrow"
	"github.com/seesaw-lb/seesaw/internal/gcpolicy"
)

// benchScenario is one load shape measured for the engine and its peer.
type benchScenario struct {
	Name        string
	Targets     int
	Interval    time.Duration
	Timeout     time.Duration
	FailPercent float64 // share of targets failing by timeout
	Warmup      time.Duration
	Window      time.Duration
	MaxInFlight int
	// NoopChecker replaces the TCP checker with one that returns at once:
	// it measures the scheduling alone, without the kernel's TCP cost.
	NoopChecker bool
}

// noopChecker passes at once (scheduler-only scenarios).
type noopChecker struct{}

func (noopChecker) check(context.Context, Target) error { return nil }
func (noopChecker) close()                              {}

// benchResult is what a worker measured over its window.
type benchResult struct {
	Impl           string
	ChecksPerSec   float64
	FailedPerSec   float64
	CPUShare       float64 // of one core
	UserShare      float64 // the user-space part of CPUShare
	RSSMB, PeakMB  float64
	LateP50        time.Duration
	LateP99        time.Duration
	Goroutines     int
	SampleErrors   []string // a few distinct last errors (engine only)
	PeakInFlight   int      // engine only
	Load           string   // 1-minute load average at the start and end of the window
	GOGC           int      // the garbage-collector setting the worker ran with
	SwitchesPerSec float64  // context switches of all the worker's threads: its wake-ups
}

func benchScenarios() []benchScenario {
	return []benchScenario{
		{Name: "throughput", Targets: 4000, Interval: 20 * time.Millisecond, Timeout: time.Second,
			Warmup: 2 * time.Second, Window: 8 * time.Second, MaxInFlight: 256},
		{Name: "10k@1s", Targets: 10000, Interval: time.Second, Timeout: 500 * time.Millisecond, FailPercent: 2,
			Warmup: 3 * time.Second, Window: 20 * time.Second, MaxInFlight: 1024},
		{Name: "100k@10s", Targets: 100000, Interval: 10 * time.Second, Timeout: 500 * time.Millisecond, FailPercent: 2,
			Warmup: 12 * time.Second, Window: 20 * time.Second, MaxInFlight: 1024},
		{Name: "100k@10s no-op checker", Targets: 100000, Interval: 10 * time.Second, Timeout: 500 * time.Millisecond,
			Warmup: 12 * time.Second, Window: 15 * time.Second, MaxInFlight: 1024, NoopChecker: true},
	}
}

const (
	benchEnv       = "SEESAW_CHECKS_BENCH"        // run the benchmark (make checksbench)
	benchWorkerEnv = "SEESAW_CHECKS_BENCH_WORKER" // JSON job for a worker process
)

// TestChecksBench runs every scenario for the engine and for the naive
// peer, each in a fresh process (clean CPU and RSS figures) against a TCP
// server in a third process, and prints a table.
func TestChecksBench(t *testing.T) {
	if os.Getenv(benchEnv) == "" {
		t.Skip("set SEESAW_CHECKS_BENCH=1 (make checksbench) to run the benchmark")
	}
	okPort, silentPort := startBenchServer(t)
	only := os.Getenv("SEESAW_CHECKS_BENCH_ONLY")
	var rows []string
	gogc := map[int]bool{}
	for _, sc := range benchScenarios() {
		if only != "" && !strings.Contains(sc.Name, only) {
			continue
		}
		var res [3]benchResult
		for i, impl := range benchImpls {
			if onlyImpl := os.Getenv("SEESAW_CHECKS_BENCH_IMPL"); onlyImpl != "" && onlyImpl != impl {
				continue // development: one side only; ratios are then meaningless
			}
			res[i] = runBenchWorker(t, sc, impl, okPort, silentPort)
			gogc[res[i].GOGC] = true
			t.Logf("%s %s: %+v", sc.Name, impl, res[i])
		}
		rows = append(rows, benchRows(sc, res)...)
	}
	fmt.Println(benchTable(rows))
	fmt.Printf("workers ran with GOGC %v (internal/gcpolicy: the daemon's setting unless GOGC is set)\n", slices.Sorted(maps.Keys(gogc)))
}

// benchImpls are the implementations measured, in table order: the
// engine with connect checks, the engine with half-open checks
// (Spec.HalfOpen), and the peer (connect checks).
var benchImpls = []string{"engine", "engine-halfopen", "peer"}

// benchRows renders one scenario's results and the engine/peer ratios.
func benchRows(sc benchScenario, r [3]benchResult) []string {
	row := func(name string, b benchResult) string {
		perCheck := time.Duration(0)
		if b.ChecksPerSec > 0 {
			perCheck = time.Duration(b.CPUShare / b.ChecksPerSec * 1e9)
		}
		return fmt.Sprintf("| %s | %s | %.0f | %.0f | %.1f%% | %.1f%% | %v | %.0f | %.1f | %.1f | %v | %v | %d | %s |", sc.Name, name,
			b.ChecksPerSec, b.FailedPerSec, 100*b.CPUShare, 100*b.UserShare, perCheck.Round(time.Microsecond), b.SwitchesPerSec, b.RSSMB, b.PeakMB, b.LateP50, b.LateP99, b.Goroutines, b.Load)
	}
	ratio := func(a, b float64) string {
		if b == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f", a/b)
	}
	p := r[2]
	rows := []string{row("engine", r[0]), row("engine, half-open", r[1]), row("goroutine+ticker peer", p)}
	for i, name := range []string{"engine", "engine, half-open"} {
		e := r[i]
		suite := "checks (peer: goroutine+ticker per check)"
		if i == 1 {
			suite = "checks, half-open (peer: goroutine+ticker per check, connect)"
		}
		benchrow.Write(os.Stdout, suite, sc.Name+", checks/s", fmt.Sprintf("%.0f", e.ChecksPerSec), fmt.Sprintf("%.0f", p.ChecksPerSec),
			e.ChecksPerSec/p.ChecksPerSec)
		benchrow.Write(os.Stdout, suite, sc.Name+", CPU of one core", fmt.Sprintf("%.1f%%", 100*e.CPUShare), fmt.Sprintf("%.1f%%", 100*p.CPUShare),
			e.CPUShare/p.CPUShare)
		benchrow.Write(os.Stdout, suite, sc.Name+", peak RSS", fmt.Sprintf("%.1f MB", e.PeakMB), fmt.Sprintf("%.1f MB", p.PeakMB), e.PeakMB/p.PeakMB)
		benchrow.Write(os.Stdout, suite, sc.Name+", lateness p99", e.LateP99.String(), p.LateP99.String(), float64(e.LateP99)/float64(p.LateP99))
		rows = append(rows, fmt.Sprintf("| %s | %s/peer | %s | | %s | %s | | %s | %s | %s | %s | %s | | |", sc.Name, name, ratio(e.ChecksPerSec, p.ChecksPerSec),
			ratio(e.CPUShare, p.CPUShare), ratio(e.UserShare, p.UserShare), ratio(e.SwitchesPerSec, p.SwitchesPerSec), ratio(e.RSSMB, p.RSSMB), ratio(e.PeakMB, p.PeakMB),
			ratio(float64(e.LateP50), float64(p.LateP50)), ratio(float64(e.LateP99), float64(p.LateP99))))
	}
	return rows
}

func benchTable(rows []string) string {
	return "| scenario | impl | checks/s | failed/s | CPU (of one core) | user CPU | CPU per check | context switches/s | RSS MB | peak RSS MB | lateness p50 | lateness p99 | goroutines | load avg |\n" +
		"|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n" + strings.Join(rows, "\n")
}

// startBenchServer starts the server process and returns its two ports.
func startBenchServer(t *testing.T) (int, int) {
	cmd := exec.Command(os.Args[0], "-test.run", "^$")
	cmd.Env = append(os.Environ(), benchServerEnv+"=1")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	var okPort, silentPort int
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if _, err := fmt.Sscanf(line, "ports %d %d", &okPort, &silentPort); err != nil {
		t.Fatalf("bench server said %q: %v", line, err)
	}
	return okPort, silentPort
}

// runBenchWorker measures one implementation in a fresh process.
func runBenchWorker(t *testing.T, sc benchScenario, impl string, okPort, silentPort int) benchResult {
	job, _ := json.Marshal(map[string]any{"scenario": sc, "impl": impl, "ok": okPort, "silent": silentPort})
	cmd := exec.Command(os.Args[0], "-test.run", "^TestChecksBenchWorker$", "-test.v")
	cmd.Env = append(os.Environ(), benchWorkerEnv+"="+string(job))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s worker: %v\n%s", sc.Name, impl, err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "RESULT "); ok {
			var r benchResult
			if err := json.Unmarshal([]byte(rest), &r); err != nil {
				t.Fatal(err)
			}
			return r
		}
	}
	t.Fatalf("%s %s worker printed no result:\n%s", sc.Name, impl, out)
	return benchResult{}
}

// TestChecksBenchWorker is one measurement, run by TestChecksBench.
func TestChecksBenchWorker(t *testing.T) {
	raw := os.Getenv(benchWorkerEnv)
	if raw == "" {
		t.Skip("run by TestChecksBench in its own process")
	}
	var job struct {
		Scenario   benchScenario
		Impl       string
		OK, Silent int
	}
	if err := json.Unmarshal([]byte(raw), &job); err != nil {
		t.Fatal(err)
	}
	raiseNoFile()
	// Every implementation runs with the daemon's garbage-collector
	// setting (GOGC=50 unless GOGC is set), as the engine runs in it.
	gogc := gcpolicy.Apply()
	sc := job.Scenario
	if n, err := strconv.Atoi(os.Getenv("SEESAW_CHECKS_BENCH_INFLIGHT")); err == nil && n > 0 {
		sc.MaxInFlight = n // experiment: another pool size
	}
	targets, specs, pick := benchTargets(sc, job.OK, job.Silent)
	specs[0].HalfOpen = job.Impl == "engine-halfopen"
	if dir := os.Getenv("SEESAW_CHECKS_BENCH_PROFILE"); dir != "" {
		stop := startProfile(t, dir, sc.Name+"-"+job.Impl)
		defer stop()
	}
	var r benchResult
	if job.Impl != "peer" {
		r = benchEngine(t, sc, targets, specs, pick)
	} else {
		r = benchPeer(t, sc, targets, specs, pick)
	}
	r.Impl, r.GOGC = job.Impl, gogc
	b, _ := json.Marshal(r)
	fmt.Println("RESULT " + string(b))
}

// startProfile writes a CPU profile of the worker to dir/<name>.pprof and
// its allocations to dir/<name>.heap.pprof
// (SEESAW_CHECKS_BENCH_PROFILE=dir: where the CPU goes, for development).
func startProfile(t *testing.T, dir, name string) func() {
	name = strings.NewReplacer(" ", "_", "@", "_", "/", "_").Replace(name)
	f, err := os.Create(filepath.Join(dir, name+".pprof"))
	if err != nil {
		t.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		t.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		if h, err := os.Create(filepath.Join(dir, name+".heap.pprof")); err == nil {
			pprof.Lookup("allocs").WriteTo(h, 0) // allocations since start, and live heap
			h.Close()
		}
	}
}

// benchTargets spreads targets over 127.0.0.0/8: the first FailPercent go
// to the silent port with a check that waits for a reply (and times out).
func benchTargets(sc benchScenario, okPort, silentPort int) ([]Target, []Spec, func(int) int) {
	base := Spec{Type: TypeTCP, Interval: sc.Interval, Timeout: sc.Timeout}
	fail := base
	fail.Send, fail.Expect = "ping\n", Expect{Contains: "pong"}
	nFail := int(float64(sc.Targets) * sc.FailPercent / 100)
	targets := make([]Target, sc.Targets)
	for i := range targets {
		n := uint32(i + 2)
		addr := netip.AddrFrom4([4]byte{127, byte(n >> 16), byte(n >> 8), byte(n)})
		port := okPort
		if i < nFail {
			port = silentPort
		}
		targets[i] = Target{Address: addr, Port: uint16(port)}
	}
	pick := func(i int) int {
		if i < nFail {
			return 1
		}
		return 0
	}
	return targets, []Spec{base, fail}, pick
}

// usage is a CPU-time, context-switch and wall-clock reading.
type usage struct {
	cpu, user time.Duration
	switches  int64
	wall      time.Time
}

func readUsage() usage {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return usage{cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), user: time.Duration(ru.Utime.Nano()),
		switches: ru.Nvcsw + ru.Nivcsw, wall: time.Now()}
}

// switchRate returns the context switches per second between a and b.
func switchRate(a, b usage) float64 {
	return float64(b.switches-a.switches) / b.wall.Sub(a.wall).Seconds()
}

// share returns the CPU used between a and b as a share of one core.
func share(a, b usage) float64 { return float64(b.cpu-a.cpu) / float64(b.wall.Sub(a.wall)) }

// userShare returns the user-space CPU used between a and b, per core.
func userShare(a, b usage) float64 { return float64(b.user-a.user) / float64(b.wall.Sub(a.wall)) }

// loadAvg returns the machine's 1-minute load average (/proc/loadavg).
func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

// rssMB returns VmRSS and VmHWM in MB.
func rssMB() (float64, float64) {
	b, _ := os.ReadFile("/proc/self/status")
	var rss, hwm float64
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && (f[0] == "VmRSS:" || f[0] == "VmHWM:") {
			kb, _ := strconv.ParseFloat(f[1], 64)
			if f[0] == "VmRSS:" {
				rss = kb / 1024
			} else {
				hwm = kb / 1024
			}
		}
	}
	return rss, hwm
}

func benchEngine(t *testing.T, sc benchScenario, targets []Target, specs []Spec, pick func(int) int) benchResult {
	e := New(Options{MaxInFlight: sc.MaxInFlight, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	checks := make([]Check, len(targets))
	for i, tg := range targets {
		checks[i] = Check{Target: tg, Spec: &specs[pick(i)]}
	}
	if err := e.Update(checks); err != nil {
		t.Fatal(err)
	}
	if sc.NoopChecker {
		for _, c := range e.specs {
			c.checker, c.plainConnect, c.halfOpen = noopChecker{}, false, false
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	go func() {
		for range e.Events() {
		}
	}()
	time.Sleep(sc.Warmup)
	s0, u0, l0 := e.Stats(), readUsage(), loadAvg()
	time.Sleep(sc.Window)
	s1, u1 := e.Stats(), readUsage()
	rss, hwm := rssMB()
	d := s1.Since(s0)
	secs := u1.wall.Sub(u0.wall).Seconds()
	r := benchResult{ChecksPerSec: float64(d.Completed) / secs, FailedPerSec: float64(d.Failed) / secs,
		CPUShare: share(u0, u1), UserShare: userShare(u0, u1), RSSMB: rss, PeakMB: hwm, LateP50: d.LatenessQuantile(0.5), LateP99: d.LatenessQuantile(0.99),
		Goroutines: runtimeGoroutines(), SampleErrors: sampleErrors(e, 3), PeakInFlight: s1.PeakInFlight, Load: l0 + "-" + loadAvg(),
		SwitchesPerSec: switchRate(u0, u1)}
	cancel()
	<-done
	return r
}

// sampleErrors returns up to n distinct last errors, without addresses.
func sampleErrors(e *Engine, n int) []string {
	seen := map[string]bool{}
	var out []string
	for _, st := range e.Statuses() {
		if st.LastError == nil || len(out) >= n {
			continue
		}
		msg := st.LastError.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		if !seen[msg] {
			seen[msg] = true
			out = append(out, msg)
		}
	}
	return out
}

func benchPeer(t *testing.T, sc benchScenario, targets []Target, specs []Spec, pick func(int) int) benchResult {
	env := &env{pingers: &pingers{}}
	comp := make([]*compiled, len(specs))
	for i, s := range specs {
		ns, err := s.Normalize()
		if err != nil {
			t.Fatal(err)
		}
		c, err := compile(ns, env)
		if err != nil {
			t.Fatal(err)
		}
		comp[i] = &compiled{spec: ns, checker: c}
		if sc.NoopChecker {
			comp[i].checker = noopChecker{}
		}
	}
	var p peerRun
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	rng := rand.New(rand.NewPCG(1, 2))
	go func() { p.run(ctx, targets, comp, pick, rng.Float64); close(done) }()
	time.Sleep(sc.Warmup)
	c0, f0, h0, u0, l0 := p.completed.Load(), p.failed.Load(), p.lateness(), readUsage(), loadAvg()
	time.Sleep(sc.Window)
	c1, f1, h1, u1 := p.completed.Load(), p.failed.Load(), p.lateness(), readUsage()
	rss, hwm := rssMB()
	secs := u1.wall.Sub(u0.wall).Seconds()
	s := Stats{lateness: h1}.Since(Stats{lateness: h0})
	r := benchResult{ChecksPerSec: float64(c1-c0) / secs, FailedPerSec: float64(f1-f0) / secs,
		CPUShare: share(u0, u1), UserShare: userShare(u0, u1), RSSMB: rss, PeakMB: hwm, LateP50: s.LatenessQuantile(0.5), LateP99: s.LatenessQuantile(0.99),
		Goroutines: runtimeGoroutines(), Load: l0 + "-" + loadAvg(), SwitchesPerSec: switchRate(u0, u1)}
	cancel()
	<-done
	return r
}
