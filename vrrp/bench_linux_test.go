package vrrp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/benchrow"
	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// benchInterval is the advert interval the benchmarks measure.
const benchInterval = 100 * time.Millisecond

// benchCfg is nodeCfg at the benchmark interval.
func benchCfg(l *lan, i int, prio uint8) Config {
	cfg := nodeCfg(l, i, prio, variants[0])
	cfg.AdvertInterval = benchInterval
	return cfg
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// quantile returns the q-quantile (nearest rank) of sorted xs.
func quantile(xs []time.Duration, q float64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(xs)))) - 1
	return xs[max(i, 0)]
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 3, 64) }

// procUsage returns CPU time (user+system) and peak RSS of pid from /proc.
func procUsage(pid int) (cpu time.Duration, rssKiB int) {
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
		ut, _ := strconv.Atoi(f[11])
		st, _ := strconv.Atoi(f[12])
		cpu = time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ 100
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "VmHWM:") {
				rssKiB, _ = strconv.Atoi(strings.Fields(l)[1])
			}
		}
	}
	return cpu, rssKiB
}

// collectAdverts returns the arrival times of n adverts from src seen by
// the observer (bounded by 1.5 n intervals plus 10 s: a stalled sender
// restarts its grid, and the gap counts as jitter).
func collectAdverts(tb testing.TB, obs *proc, src string, n int) []int64 {
	tb.Helper()
	deadline := time.After(time.Duration(n)*benchInterval*3/2 + 10*time.Second)
	var at []int64
	for len(at) < n {
		select {
		case m := <-obs.msgs:
			if m.Kind == "advert" && m.Src == src {
				at = append(at, m.Mono)
			}
		case <-deadline:
			tb.Fatalf("observer saw %d of %d adverts from %s", len(at), n, src)
		}
	}
	return at
}

// jitters turns arrival times into |interval - 100 ms|, sorted.
func jitters(at []int64) []time.Duration {
	var js []time.Duration
	for i := 1; i < len(at); i++ {
		d := time.Duration(at[i]-at[i-1]) - benchInterval
		js = append(js, max(d, -d))
	}
	slices.Sort(js)
	return js
}

type jitterRow struct {
	name    string
	js      []time.Duration
	cpu     time.Duration
	rssKiB  int
	seesaw  bool
	gc      gcFigures
	late    uint64        // thread-sent adverts more than 1 ms late
	maxLate time.Duration // the latest thread-sent advert
	// lease: the sender process's repeats, lease expiries and dropped
	// adverts ("-" for other paths)
	lease string
	// from, to: the first and last advert of the window (wall-clock ns)
	from, to int64
	// floor: cyclictest's wake-ups in the windows of the round's two rows
	// as the statistic of js (floorRun), on seesaw rows; floorErr when it
	// was not measured
	floor    []time.Duration
	floorErr error
}

// BenchmarkNetnsAdvertJitter measures the spacing of 100 ms adverts from
// the receiving namespace. Each round runs next to keepalived measured at
// the same time on its own segment (the host's noise hits both alike):
// every load scenario (loadScenarios) with every send path (sendPaths;
// the kernel-timed rounds are reported as not measured when the kernel
// has no fq). One run per invocation whatever b.N is;
// SEESAW_BENCH_ADVERTS sets the number of intervals, SEESAW_BENCH_ROUNDS
// a regexp on the round names ("10k-checks@1s/thread").
func BenchmarkNetnsAdvertJitter(b *testing.B) {
	requireKeepalived(b)
	advertJitter(b, "vrrp", envInt("SEESAW_BENCH_ADVERTS", 1000), jitterRounds(b, loadScenarios(1)))
}

// BenchmarkVMAdvertJitter is BenchmarkNetnsAdvertJitter over 500 intervals
// inside the test VM, whose Debian kernel has the fq qdisc the kernel-timed
// rounds need (run.sh --host-bin keepalived). TCG runs code about ten times
// slower, so the loads are a tenth, and only idle and the checks at 1 s
// run unless SEESAW_BENCH_ROUNDS says otherwise; compare rows, not hosts.
func BenchmarkVMAdvertJitter(b *testing.B) {
	testenv.RequireVM(b, "ip", "tc", "keepalived")
	scenarios := loadScenarios(10)
	if os.Getenv("SEESAW_BENCH_ROUNDS") == "" {
		scenarios = scenarios[:2]
	}
	advertJitter(b, "vrrp in the VM", 500, jitterRounds(b, scenarios))
}

// advertJitter runs rounds over n intervals, each next to keepalived;
// suite names the rows in make bench's table.
func advertJitter(b *testing.B, suite string, n int, rounds []jitterRound) {
	var rows []jitterRow
	var fqErr error
	fqChecked := false
	for _, round := range rounds {
		if round.path.fq {
			if !fqChecked {
				fqErr, fqChecked = fqAvailable(b), true
			}
			if fqErr != nil {
				fmt.Printf("%s: not measured: %v\n", round.name, fqErr)
				continue
			}
		}
		ss, ka := make(chan jitterRow, 1), make(chan jitterRow, 1)
		fl, flErr := startFloor(n)
		go measureInto(ss, b, round, n)
		go measureInto(ka, b, jitterRound{name: "keepalived"}, n)
		s, k := <-ss, <-ka
		s.floorErr = flErr
		if fl != nil {
			from, to := window(s, k)
			s.floor, s.floorErr = fl.stop(from, to)
		}
		rows = append(rows, s, k)
		if b.Failed() {
			printJitter(suite, rows[:len(rows)-2], n)
			b.Fatalf("round %s failed; the rows above are the rounds before it", round.name)
		}
	}
	printJitter(suite, rows, n)
}

// window returns the span of the measured rows' windows (wall-clock ns).
func window(rows ...jitterRow) (from, to int64) {
	for _, r := range rows {
		if len(r.js) == 0 {
			continue
		}
		if from == 0 || r.from < from {
			from = r.from
		}
		to = max(to, r.to)
	}
	return from, to
}

// fqAvailable says whether the fq qdisc can be set up in a namespace.
func fqAvailable(tb testing.TB) error {
	l := newLAN(tb, 1)
	out, err := exec.Command("ip", "netns", "exec", l.nss[0], "tc", "qdisc", "replace", "dev", "eth0", "root", "fq").CombinedOutput()
	if err != nil {
		return fmt.Errorf("tc qdisc replace dev eth0 root fq: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// measureInto sends measureJitter's row to c, or an empty row when the
// measurement failed (the deferred send runs when Fatal ends the goroutine).
func measureInto(c chan<- jitterRow, tb testing.TB, round jitterRound, n int) {
	row := jitterRow{name: round.name}
	defer func() { c <- row }()
	row = measureJitter(tb, round, n)
}

// measureJitter runs one sender on its own segment and observes it.
func measureJitter(tb testing.TB, round jitterRound, n int) jitterRow {
	l := newLAN(tb, 2)
	cfg := benchCfg(l, 0, 200)
	obs := startHelper(tb, l.nss[1], "observe", nodeCfg(l, 1, 1, variants[0]))
	row := jitterRow{name: round.name, seesaw: round.name != "keepalived"}
	var pid int
	var stop func()
	if !row.seesaw {
		ka := startKeepalived(tb, l.nss[0], cfg, l.addr4(0))
		ka.waitState("MASTER", 5*time.Second)
		pid, stop = ka.vrrpPID(), ka.stop
	} else {
		if round.path.fq {
			run(tb, "ip", "netns", "exec", l.nss[0], "tc", "qdisc", "replace", "dev", "eth0", "root", "fq")
		}
		round.path.set(&cfg)
		p := startHelper(tb, l.nss[0], "node", cfg, round.env...)
		p.wait("event", "master", 5*time.Second)
		pid, stop = p.cmd.Process.Pid, func() {
			st := p.stop()
			if st.AdvertTiming != round.path.timing {
				tb.Errorf("%s: adverts timed on %q, want %q", round.name, st.AdvertTiming, round.path.timing)
			}
			row.late, row.maxLate = st.LateAdverts, st.MaxAdvertLateness
			if st.AdvertTiming == TimingProcess {
				row.lease = fmt.Sprintf("%d/%d/%d", st.AdvertsRepeated, st.LeaseExpiries, st.AdvertsDropped)
			}
			if gc := p.wait("gc", "", 10*time.Second).GC; gc != nil {
				row.gc = *gc
			}
		}
	}
	collectAdverts(tb, obs, l.addr4(0).String(), 5) // settle
	at := collectAdverts(tb, obs, l.addr4(0).String(), n+1)
	row.cpu, row.rssKiB = procUsage(pid)
	stop()
	row.js, row.from, row.to = jitters(at), at[0], at[len(at)-1]
	return row
}

func printJitter(suite string, rows []jitterRow, n int) {
	fmt.Printf("\nadvert jitter, 100 ms interval, %d intervals, |interval-100ms| in ms, kernel rx timestamps;\n"+
		"late: thread- or process-sent adverts >1 ms after due, and the latest; golate: the same for the lateness\n"+
		"not spent on the host's run queue (the Go runtime's share on the thread, the process's own on the\n"+
		"sender process); gc: cycles, STW pause p99 and max (runtime/metrics);\n"+
		"lease: the sender process's adverts repeated/lease expiries/adverts dropped;\n"+
		"floor: the same statistic of cyclictest's wake-ups (SCHED_FIFO %d) in the round's windows, p99.9 and max\n", n, rtBenchPriority)
	fmt.Printf("%-32s %7s %7s %7s %7s %8s %5s %7s %6s %7s %6s %7s %7s %8s %9s %11s %7s %7s\n", "sender", "p50", "p99", "p99.9", "max",
		"p99.9/ka", "late", "maxlate", "golate", "gomax", "gc", "gc p99", "gc max", "cpu", "rss KiB", "lease", "floor", "flmax")
	for i, r := range rows {
		if len(r.js) == 0 {
			fmt.Printf("%-32s (failed)\n", r.name)
			continue
		}
		ka := rows[i|1] // each seesaw row is followed by its keepalived
		ratio := float64(quantile(r.js, 0.999)) / float64(max(quantile(ka.js, 0.999), 1))
		late, maxLate, goLate, goMax, gc, gcp99, gcmax := "-", "-", "-", "-", "-", "-", "-"
		if r.seesaw {
			late, maxLate = strconv.FormatUint(r.late, 10), ms(r.maxLate)
			goLate, goMax = strconv.FormatUint(r.gc.GoLate, 10), ms(r.gc.MaxGoLate)
			gc, gcp99, gcmax = strconv.FormatUint(r.gc.Cycles, 10), ms(r.gc.PauseP99), ms(r.gc.PauseMax)
		}
		lease := r.lease
		if lease == "" {
			lease = "-"
		}
		floor, flmax := "-", "-"
		if len(r.floor) > 0 {
			floor, flmax = ms(quantile(r.floor, 0.999)), ms(r.floor[len(r.floor)-1])
		}
		fmt.Printf("%-32s %7s %7s %7s %7s %8.2f %5s %7s %6s %7s %6s %7s %7s %8s %9d %11s %7s %7s\n", r.name, ms(quantile(r.js, 0.5)),
			ms(quantile(r.js, 0.99)), ms(quantile(r.js, 0.999)), ms(r.js[len(r.js)-1]), ratio, late, maxLate,
			goLate, goMax, gc, gcp99, gcmax, r.cpu.Round(time.Millisecond), r.rssKiB, lease, floor, flmax)
		if r.seesaw && len(ka.js) > 0 {
			benchrow.Write(os.Stdout, suite+" (peer: keepalived)", "advert jitter p99.9, "+r.name, ms(quantile(r.js, 0.999))+" ms",
				ms(quantile(ka.js, 0.999))+" ms", ratio)
		}
		if r.seesaw && len(r.floor) > 0 {
			fl := quantile(r.floor, 0.999)
			benchrow.Write(os.Stdout, suite+" (peer: cyclictest, the timer floor)", "advert jitter p99.9, "+r.name,
				ms(quantile(r.js, 0.999))+" ms", ms(fl)+" ms", float64(quantile(r.js, 0.999))/float64(max(fl, 1)))
		}
		if r.seesaw && r.floorErr != nil {
			fmt.Printf("%-32s floor not measured: %v\n", "", r.floorErr)
		}
	}
}

// BenchmarkNetnsFailover kills a seesaw master (SIGKILL) and measures, from
// a third namespace, the time until the backup's first advert: a seesaw
// backup and a keepalived backup alternate, SEESAW_BENCH_RUNS times each.
func BenchmarkNetnsFailover(b *testing.B) {
	requireKeepalived(b)
	runs := envInt("SEESAW_BENCH_RUNS", 20)
	l := newLAN(b, 3)
	obs := startHelper(b, l.nss[2], "observe", nodeCfg(l, 2, 1, variants[0]))
	res := map[string][]failover{}
	for range runs {
		for _, impl := range []string{"seesaw", "keepalived"} {
			res[impl] = append(res[impl], failoverOnce(b, l, obs, impl))
		}
	}
	printFailover(res, runs)
}

// failover is one measurement: from the kill, and from the master's last advert.
type failover struct{ fromKill, fromLast time.Duration }

func failoverOnce(tb testing.TB, l *lan, obs *proc, impl string) failover {
	master := startHelper(tb, l.nss[0], "node", benchCfg(l, 0, 200))
	master.wait("event", "master", 5*time.Second)
	backupCfg := benchCfg(l, 1, 100)
	var stopBackup func()
	if impl == "keepalived" {
		ka := startKeepalived(tb, l.nss[1], backupCfg, l.addr4(1))
		ka.waitState("BACKUP", 5*time.Second)
		stopBackup = ka.crash
	} else {
		p := startHelper(tb, l.nss[1], "node", backupCfg)
		p.wait("event", "backup", 5*time.Second)
		stopBackup = p.kill
	}
	at := collectAdverts(tb, obs, l.addr4(0).String(), 5) // the backup has seen the master
	last := at[len(at)-1]
	// Kill at a random phase of the advert interval.
	time.Sleep(time.Duration(rand.Int64N(int64(benchInterval))))
	killAt := time.Now().UnixNano()
	master.cmd.Process.Signal(syscall.SIGKILL)
	deadline := time.After(5 * time.Second)
	for {
		select {
		case m := <-obs.msgs:
			if m.Kind != "advert" {
				continue
			}
			if m.Src == l.addr4(0).String() {
				last = m.Mono
				continue
			}
			if m.Src == l.addr4(1).String() && m.Mono > killAt {
				master.kill()
				stopBackup()
				return failover{time.Duration(m.Mono - killAt), time.Duration(m.Mono - last)}
			}
		case <-deadline:
			tb.Fatalf("%s backup sent no advert within 5s of the kill", impl)
		}
	}
}

func printFailover(res map[string][]failover, runs int) {
	fmt.Printf("\nfailover, 100 ms interval, backup priority 100 (Master_Down_Interval 360.9 ms), %d runs each, ms\n", runs)
	fmt.Printf("%-11s %-22s %8s %8s %8s %8s %12s\n", "backup", "measured from", "min", "p50", "mean", "max", "mean/ka")
	for _, impl := range []string{"seesaw", "keepalived"} {
		for _, from := range []string{"kill", "last master advert"} {
			xs, kas := pick(res[impl], from), pick(res["keepalived"], from)
			fmt.Printf("%-11s %-22s %8s %8s %8s %8s %12.3f\n", impl, from, ms(xs[0]), ms(quantile(xs, 0.5)),
				ms(mean(xs)), ms(xs[len(xs)-1]), float64(mean(xs))/float64(mean(kas)))
			if impl == "seesaw" {
				benchrow.Write(os.Stdout, "vrrp (peer: keepalived)", "failover detection mean, from "+from, ms(mean(xs))+" ms",
					ms(mean(kas))+" ms", float64(mean(xs))/float64(mean(kas)))
			}
		}
	}
	var slower int
	for i := range res["seesaw"] {
		if res["seesaw"][i].fromLast > res["keepalived"][i].fromLast {
			slower++
		}
	}
	fmt.Printf("runs where seesaw detected later than keepalived (from last master advert): %d of %d\n", slower, runs)
}

func pick(fs []failover, from string) []time.Duration {
	var xs []time.Duration
	for _, f := range fs {
		if from == "kill" {
			xs = append(xs, f.fromKill)
		} else {
			xs = append(xs, f.fromLast)
		}
	}
	slices.Sort(xs)
	return xs
}

func mean(xs []time.Duration) time.Duration {
	var s time.Duration
	for _, x := range xs {
		s += x
	}
	return s / time.Duration(max(len(xs), 1))
}
