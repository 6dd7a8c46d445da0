package daemon

import (
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/reconcile"
)

var soakDuration = flag.Duration("soak", 2*time.Minute, "TestSoakInVM: length of the fault phase (make soak: 10m)")

var soakSeedFlag = flag.Uint64("soakseed", 0, "TestSoakInVM: random seed to replay (0: SEESAW_SOAK_SEED, else the clock)")

const soakFlappers = 20

// soakDaemon is the daemon running as a child process of the test binary.
type soakDaemon struct {
	cmd  *exec.Cmd
	logs *syncBuffer
}

// soakRun is the state of one soak run.
type soakRun struct {
	t       *testing.T
	dir     string
	socket  string
	metrics string
	counts  map[string]int // owned by the test goroutine

	mu   sync.Mutex  // guards d, gen and logs: the writer reads them
	d    *soakDaemon // the running daemon
	gen  int         // how many daemons have been started
	logs []string    // logs of the killed daemons
}

// daemon returns the running daemon and its generation.
func (s *soakRun) daemon() (*soakDaemon, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.d, s.gen
}

// write replaces a config file the way editors do (write, then rename).
// It runs on the writer goroutine too, so a failure is an Error, not Fatal.
func (s *soakRun) write(name, content string) {
	if err := renameInto(s.dir, name, content); err != nil {
		s.t.Error(err)
	}
}

func (s *soakRun) start() {
	logs := &syncBuffer{}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childArgsEnv+"="+strings.Join([]string{"--config-dir", s.dir,
		"--control-socket", s.socket, "--metrics-address", s.metrics}, "\x1f"))
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.mu.Lock()
	s.d, s.gen = &soakDaemon{cmd: cmd, logs: logs}, s.gen+1
	s.mu.Unlock()
}

func (s *soakRun) kill() {
	d, _ := s.daemon()
	d.cmd.Process.Signal(syscall.SIGKILL)
	d.cmd.Wait()
	s.mu.Lock()
	s.logs = append(s.logs, d.logs.String())
	s.mu.Unlock()
	s.counts["kills"]++
}

// waitFor polls cond for up to 60 s: 1,000 services take a while under TCG.
func (s *soakRun) waitFor(what string, cond func() bool) {
	s.t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	d, _ := s.daemon()
	s.t.Fatalf("timed out waiting for %s\n%s", what, tail(d.logs.String(), 3000))
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// flapper opens a listener per flapping backend and closes and reopens a
// random one every 150 ms until stop is closed; then all listen.
type flapper struct {
	mu    sync.Mutex
	lns   []net.Listener
	addrs []string
	flips int
}

func newFlapper(t *testing.T) *flapper {
	f := &flapper{}
	for i := range soakFlappers {
		a := fmt.Sprintf("198.51.100.%d", 200+i)
		if out, err := exec.Command("ip", "addr", "add", a+"/32", "dev", "dummy0").CombinedOutput(); err != nil {
			t.Fatalf("ip addr add %s: %v: %s", a, err, out)
		}
		t.Cleanup(func() { exec.Command("ip", "addr", "del", a+"/32", "dev", "dummy0").Run() })
		ln, p := loopbackServer(t, a)
		f.lns = append(f.lns, ln)
		f.addrs = append(f.addrs, fmt.Sprintf("%s:%d", a, p))
	}
	return f
}

func (f *flapper) run(t *testing.T, stop <-chan struct{}, r *rand.Rand) {
	down := map[int]bool{}
	for tick := time.NewTicker(150 * time.Millisecond); ; {
		select {
		case <-stop:
			tick.Stop()
			for i := range down {
				f.reopen(t, i)
			}
			return
		case <-tick.C:
		}
		i := r.IntN(soakFlappers)
		if down[i] {
			f.reopen(t, i)
			delete(down, i)
		} else {
			f.lns[i].Close()
			down[i] = true
		}
		f.flips++
	}
}

func (f *flapper) reopen(t *testing.T, i int) {
	for range 50 { // the port can linger a moment after Close
		ln, err := net.Listen("tcp", f.addrs[i])
		if err == nil {
			go acceptAndClose(ln)
			f.lns[i] = ln
			t.Cleanup(func() { ln.Close() })
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("reopen listener %s: gave up", f.addrs[i])
}

// flapFile is the group of checked services, one per flapping backend.
func (f *flapper) file() (string, []string) {
	var b strings.Builder
	var lines []string
	b.WriteString("services:\n")
	for i, a := range f.addrs {
		host, port, _ := net.SplitHostPort(a)
		fmt.Fprintf(&b, "  - name: flap%d\n    vip: 192.0.2.240\n    ports: [{proto: tcp, port: %d}]\n    forward: nat\n"+
			"    checks: [{type: tcp, interval: 200ms, timeout: 150ms, fall: 1, rise: 1}]\n"+
			"    backends: [{address: %s, port: %s}]\n", i, 2000+i, host, port)
		lines = append(lines, fmt.Sprintf("-A -t 192.0.2.240:%d -s wlc", 2000+i), fmt.Sprintf("-a -t 192.0.2.240:%d -r %s -m -w 1", 2000+i, a))
	}
	return b.String(), lines
}

var (
	reInvalid = regexp.MustCompile(`invalid configuration, keeping the last valid one`)
	reApplied = regexp.MustCompile(`msg="applied plan" ops=(\d+)`)
)

func (s *soakRun) allLogs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.logs, "") + s.d.logs.String()
}

// sample is one reading of the daemon's RSS (kB) and goroutines.
type sample struct{ rss, goroutines int }

func (s *soakRun) sample() (sample, bool) {
	d, _ := s.daemon()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", d.cmd.Process.Pid))
	if err != nil {
		return sample{}, false
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(status)
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + s.metrics + "/metrics")
	if m == nil || err != nil {
		return sample{}, false
	}
	defer resp.Body.Close()
	var body strings.Builder
	buf := make([]byte, 64<<10)
	for {
		n, err := resp.Body.Read(buf)
		body.Write(buf[:n])
		if err != nil {
			break
		}
	}
	g := regexp.MustCompile(`(?m)^go_goroutines (\d+)`).FindStringSubmatch(body.String())
	if g == nil {
		return sample{}, false
	}
	rss, _ := strconv.Atoi(string(m[1]))
	gr, _ := strconv.Atoi(g[1])
	return sample{rss, gr}, true
}

// TestSoakInVM is the soak and fault test; see docs/testing.md.
func TestSoakInVM(t *testing.T) {
	requireVM(t)
	ipvsadm(t, "-C")
	r := rand.New(rand.NewPCG(soakSeed(t), 7))
	s := &soakRun{t: t, dir: t.TempDir(), socket: filepath.Join(t.TempDir(), "ctl.sock"), metrics: "127.0.0.1:9917", counts: map[string]int{}}
	m := newSoakModel(10, 98)
	fl := newFlapper(t)
	flapYAML, flapLines := fl.file()
	s.write("node.yaml", vmNode)
	s.write("flap.yaml", flapYAML)
	for f := range m.files {
		s.write(soakFileName(f), m.render(f))
	}
	s.start()
	s.waitFor("the first configuration", func() bool { d, _ := s.daemon(); return strings.Contains(d.logs.String(), "applied plan") })
	stop := make(chan struct{})
	flapDone, writeDone := make(chan struct{}), make(chan struct{})
	go func() { fl.run(t, stop, rand.New(rand.NewPCG(r.Uint64(), 1))); close(flapDone) }()
	w := &soakWriter{s: s, m: m, r: rand.New(rand.NewPCG(r.Uint64(), 2)), counts: map[string]int{}, pending: -1}
	go func() { w.run(stop); close(writeDone) }()

	killUntil := time.Now().Add(*soakDuration / 2) // the second half keeps one process for RSS and goroutines
	end := time.Now().Add(*soakDuration)
	samplesDone := make(chan []sample)
	go func() { samplesDone <- s.sampleEverySecond(killUntil, stop) }()
	nextKill, nextDrift := time.Now().Add(randDur(r, 5, 15)), time.Now().Add(randDur(r, 1, 3))
	for i := 0; i < 100000 && time.Now().Before(end); i++ {
		time.Sleep(100 * time.Millisecond)
		now := time.Now()
		if now.After(nextDrift) {
			s.drift(r)
			nextDrift = now.Add(randDur(r, 1, 3))
		}
		if now.Before(killUntil) && now.After(nextKill) {
			s.kill()
			s.start()
			nextKill = now.Add(randDur(r, 5, 15))
		}
	}
	close(stop)
	<-flapDone
	<-writeDone
	samples := <-samplesDone
	w.finish()
	maps.Copy(s.counts, w.counts)
	s.finalCheck(m, flapLines)
	s.report(samples, fl.flips)
	s.kill()
	s.counts["kills"]--
}

// sampleEverySecond reads the daemon's RSS and goroutines once a second
// from start until stop, on its own goroutine so slow ipvsadm reads in the
// fault loop do not thin the samples out.
func (s *soakRun) sampleEverySecond(start time.Time, stop <-chan struct{}) []sample {
	var samples []sample
	select {
	case <-time.After(time.Until(start)):
	case <-stop:
		return nil
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		if sm, ok := s.sample(); ok {
			samples = append(samples, sm)
		}
		select {
		case <-stop:
			return samples
		case <-tick.C:
		}
	}
}

// medianMax is the median and the largest value of key=NUMBER in logs.
func medianMax(logs, key string) string {
	var xs []float64
	for _, m := range regexp.MustCompile(key+`=([0-9.]+)`).FindAllStringSubmatch(logs, -1) {
		if x, err := strconv.ParseFloat(m[1], 64); err == nil {
			xs = append(xs, x)
		}
	}
	if len(xs) == 0 {
		return "none"
	}
	slices.Sort(xs)
	return fmt.Sprintf("%.0f / %.0f", xs[len(xs)/2], xs[len(xs)-1])
}

func randDur(r *rand.Rand, lo, hi int) time.Duration {
	return time.Duration(lo*1000+r.IntN((hi-lo)*1000)) * time.Millisecond
}

// drift deletes one destination of a soak service by hand.
func (s *soakRun) drift(r *rand.Rand) {
	var dests []string
	for _, l := range strings.Split(ipvsadm(s.t, "-Sn"), "\n") {
		if strings.HasPrefix(l, "-a -t 192.0.2.") && !strings.Contains(l, "192.0.2.240:") {
			dests = append(dests, l)
		}
	}
	if len(dests) == 0 {
		return
	}
	f := strings.Fields(dests[r.IntN(len(dests))])
	if exec.Command("ipvsadm", "-d", "-t", f[2], "-r", f[4]).Run() == nil {
		s.counts["drifts"]++
	}
}

// finalCheck: after the quiet period the kernel holds exactly the model,
// and the daemon's own plan shows nothing to do. Both are retried for up to
// 60 s: under TCG a flapping backend's check may still time out once after
// the flapper stopped, which the next check repairs.
func (s *soakRun) finalCheck(m *soakModel, flapLines []string) {
	want := append(m.ipvsadmLines(), flapLines...)
	slices.Sort(want)
	var got []string
	var plan string
	for range 120 {
		got = normalizeIPVSADM(ipvsadm(s.t, "-Sn"))
		if slices.Equal(got, want) {
			var empty bool
			if plan, empty = planOf(s.t, s.dir); empty {
				return
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	if !slices.Equal(got, want) {
		extra, missing := diffLines(got, want)
		s.t.Fatalf("kernel differs from the last valid config: %d extra, %d missing lines\nextra: %.2000s\nmissing: %.2000s",
			len(extra), len(missing), strings.Join(extra, "\n"), strings.Join(missing, "\n"))
	}
	s.t.Fatalf("plan after the quiet period:\n%.3000s", plan)
}

// planOf is the plan `seesaw-reconcile plan --config-dir dir` prints for
// the kernel of this namespace, and whether it is empty and not held back.
func planOf(t *testing.T, dir string) (string, bool) {
	t.Helper()
	cfg, err := desired.Load(dir)
	if err != nil {
		return fmt.Sprintf("load configuration %s:\n%v\n", dir, err), false
	}
	c, err := kernel.Dial(kernel.Options{})
	if err != nil {
		return fmt.Sprintf("open IPVS: %v\n", err), false
	}
	defer c.Close()
	live, err := c.Snapshot(t.Context())
	if err != nil {
		return fmt.Sprintf("read IPVS table: %v\n", err), false
	}
	p := reconcile.Compute(live, reconcile.Inputs{Config: cfg, Master: true, Now: time.Now()}).Plan
	var b strings.Builder
	if err := reconcile.RenderText(&b, p, false); err != nil {
		return err.Error(), false
	}
	return b.String(), !p.Held && p.Empty()
}

func diffLines(got, want []string) (extra, missing []string) {
	for _, l := range got {
		if _, ok := slices.BinarySearch(want, l); !ok {
			extra = append(extra, l)
		}
	}
	for _, l := range want {
		if _, ok := slices.BinarySearch(got, l); !ok {
			missing = append(missing, l)
		}
	}
	return extra, missing
}

// report checks the logs and the samples and prints the figures.
func (s *soakRun) report(samples []sample, flips int) {
	logs := s.allLogs()
	if strings.Contains(logs, "panic:") || strings.Contains(logs, "goroutine ") && strings.Contains(logs, "[running]") {
		s.t.Fatalf("a daemon panicked:\n%.4000s", logs[max(0, strings.Index(logs, "panic")):])
	}
	if s.counts["invalid reported"] != s.counts["invalid edits"] {
		s.t.Fatalf("%d invalid edits, %d reported", s.counts["invalid edits"], s.counts["invalid reported"])
	}
	ops := 0
	for _, m := range reApplied.FindAllStringSubmatch(logs, -1) {
		n, _ := strconv.Atoi(m[1])
		ops += n
	}
	s.t.Logf("soak %v (%.1f edits/s achieved): edits %d (%d weight, %d add/%d remove backend, %d add/%d remove service), invalid edits %d (reported %d), "+
		"kills %d, drifts repaired %d, check flips %d, ops applied %d, reconcile rounds with ops %d",
		*soakDuration, float64(s.counts["edits"]+s.counts["invalid edits"])/soakDuration.Seconds(), s.counts["edits"], s.counts["edit: weight"], s.counts["edit: add backend"], s.counts["edit: remove backend"],
		s.counts["edit: add service"], s.counts["edit: remove service"], s.counts["invalid edits"], s.counts["invalid reported"],
		s.counts["kills"], s.counts["drifts"], flips, ops, len(reApplied.FindAllString(logs, -1)))
	s.t.Logf("daemon log lines: %d configuration loaded, %d applied plan, %d invalid, %d errors",
		strings.Count(logs, `msg="configuration loaded"`), strings.Count(logs, `msg="applied plan"`),
		len(reInvalid.FindAllString(logs, -1)), strings.Count(logs, "level=ERROR"))
	s.t.Logf("daemon timings, median / max: load_ms %s, plan_ms %s, apply_ms %s",
		medianMax(logs, "load_ms"), medianMax(logs, "plan_ms"), medianMax(logs, "apply_ms"))
	if len(samples) < 6 {
		s.t.Fatalf("only %d RSS/goroutine samples; the last daemon's log ends:\n%s", len(samples), tail(logs, 4000))
	}
	third := len(samples) / 3
	avg := func(xs []sample) (rss, g float64) {
		for _, x := range xs {
			rss += float64(x.rss)
			g += float64(x.goroutines)
		}
		return rss / float64(len(xs)), g / float64(len(xs))
	}
	r1, g1 := avg(samples[:third])
	r3, g3 := avg(samples[len(samples)-third:])
	s.t.Logf("soak samples %d: RSS first third %.0f kB, last third %.0f kB; goroutines first third %.0f, last third %.0f",
		len(samples), r1, r3, g1, g3)
	if r3 > 1.5*r1+20<<10 || g3 > 1.5*g1+50 {
		s.t.Fatalf("RSS or goroutines grew: RSS %.0f -> %.0f kB, goroutines %.0f -> %.0f", r1, r3, g1, g3)
	}
}

// soakSeed is the soak's random seed: -soakseed, else SEESAW_SOAK_SEED,
// else the clock. It is logged so that a failing run's edits and faults
// can be replayed (their timing against the daemon is not).
func soakSeed(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if *soakSeedFlag != 0 {
		seed = *soakSeedFlag
	} else if v := os.Getenv("SEESAW_SOAK_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("SEESAW_SOAK_SEED=%q: %v", v, err)
		}
	}
	t.Logf("soak seed %d (replay: make soak SOAK_SEED=%d)", seed, seed)
	return seed
}
