package vrrp

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/benchrow"
	"github.com/seesaw-lb/seesaw/internal/netnsexec"
)

// floorCommand is the timer-latency oracle the jitter benchmark runs beside
// each round: Debian's cyclictest (package rt-tests).
const floorCommand = "cyclictest"

// floorRun is cyclictest running beside a jitter round: one SCHED_FIFO
// thread at rtBenchPriority that does nothing but sleep to an absolute
// time on the benchmark's interval. --laptop leaves /dev/cpu_dma_latency
// alone, so the senders measured beside it run on the host as it is.
type floorRun struct {
	cmd     *exec.Cmd
	out     bytes.Buffer
	stderr  bytes.Buffer
	started int64 // wall-clock ns just before the start
	exited  <-chan struct{}
}

// startFloor starts cyclictest for a round of n intervals. It ends by
// itself after three times the round's intervals and two minutes (a round
// that never ends), and with the test process.
func startFloor(n int) (*floorRun, error) {
	path, err := exec.LookPath(floorCommand)
	if err != nil {
		return nil, fmt.Errorf("%s not found (apt-get install rt-tests): %w", floorCommand, err)
	}
	us := strconv.Itoa(int(benchInterval / time.Microsecond))
	bound := strconv.Itoa(int((3*time.Duration(n)*benchInterval + 2*time.Minute) / time.Second))
	f := &floorRun{}
	f.cmd = exec.Command(path, "--laptop", "-m", "-p", strconv.Itoa(rtBenchPriority), "-i", us, "-d", "0",
		"-D", bound, "-v")
	f.cmd.Stdout, f.cmd.Stderr = &f.out, &f.stderr
	f.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	f.started = time.Now().UnixNano()
	if f.exited, err = netnsexec.StartHeld(f.cmd); err != nil {
		return nil, fmt.Errorf("%s: %w", f.cmd, err)
	}
	return f, nil
}

// stop ends cyclictest and returns its wake-ups due between from and to
// (wall-clock ns: the first and last advert of the round's windows) turned
// into the adverts' statistic (|interval - 100 ms| between consecutive
// wake-ups, sorted). That is the timer floor of the host in the round's
// window: a sender that sleeps until its due time cannot be steadier than
// a C thread that does only that.
func (f *floorRun) stop(from, to int64) ([]time.Duration, error) {
	f.cmd.Process.Signal(syscall.SIGINT)
	<-f.exited
	if st := f.cmd.ProcessState; !st.Success() {
		return nil, fmt.Errorf("%s: %v: %s", f.cmd, st, strings.TrimSpace(f.stderr.String()))
	}
	lats, err := parseCyclictest(f.out.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.cmd, err)
	}
	// Wake-up k is due one interval after the thread's start, and k
	// intervals after that.
	var at []int64
	for k, l := range lats {
		due := f.started + int64(k+1)*int64(benchInterval)
		if due >= from && due <= to {
			at = append(at, due+int64(l))
		}
	}
	if len(at) < 2 {
		return nil, fmt.Errorf("%s: %d of its %d wake-ups fall in the round's window", f.cmd, len(at), len(lats))
	}
	return jitters(at), nil
}

// parseCyclictest reads cyclictest -v's per-wake-up lines ("thread: loop:
// latency-in-µs") of thread 0, in loop order, and skips its other lines.
func parseCyclictest(out []byte) ([]time.Duration, error) {
	var lats []time.Duration
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), ":")
		if len(f) != 3 {
			continue
		}
		var v [3]int
		ok := true
		for i, s := range f {
			var err error
			if v[i], err = strconv.Atoi(strings.TrimSpace(s)); err != nil {
				ok = false
			}
		}
		if !ok || v[0] != 0 {
			continue
		}
		if v[1] != len(lats) {
			return nil, fmt.Errorf("wake-up %d reported where %d was due", v[1], len(lats))
		}
		lats = append(lats, time.Duration(v[2])*time.Microsecond)
	}
	return lats, sc.Err()
}

// floorHistogram is cyclictest -h's account of one thread's wake-ups:
// Counts[us] wake-ups that many microseconds late, Overflows beyond the
// histogram's range, and the latest.
type floorHistogram struct {
	Counts    []int
	Overflows int
	Max       time.Duration
}

// parseCyclictestHistogram reads cyclictest -q -h's output for one thread.
func parseCyclictestHistogram(out []byte) (floorHistogram, error) {
	var h floorHistogram
	seenMax := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if k, v, ok := strings.Cut(line, ":"); ok && strings.HasPrefix(k, "# ") {
			f := strings.Fields(v)
			if len(f) == 0 {
				continue
			}
			n, err := strconv.Atoi(f[0])
			switch strings.TrimPrefix(k, "# ") {
			case "Histogram Overflows":
				if err != nil {
					return h, fmt.Errorf("histogram overflows %q: %w", v, err)
				}
				h.Overflows = n
			case "Max Latencies":
				if err != nil {
					return h, fmt.Errorf("max latency %q: %w", v, err)
				}
				h.Max, seenMax = time.Duration(n)*time.Microsecond, true
			}
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		us, err1 := strconv.Atoi(f[0])
		n, err2 := strconv.Atoi(f[1])
		if err1 != nil || err2 != nil {
			continue
		}
		if us != len(h.Counts) {
			return h, fmt.Errorf("histogram bin %d where %d was due", us, len(h.Counts))
		}
		h.Counts = append(h.Counts, n)
	}
	if err := sc.Err(); err != nil {
		return h, err
	}
	if len(h.Counts) == 0 || !seenMax {
		return h, fmt.Errorf("no histogram in cyclictest's output")
	}
	return h, nil
}

// total is the number of wake-ups h counts.
func (h floorHistogram) total() int {
	n := h.Overflows
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// quantile returns the q-quantile of h's wake-up latencies (nearest rank),
// and false when it lies among the overflows.
func (h floorHistogram) quantile(q float64) (time.Duration, bool) {
	rank := int(math.Ceil(q * float64(h.total())))
	seen := 0
	for us, c := range h.Counts {
		if seen += c; seen >= max(rank, 1) {
			return time.Duration(us) * time.Microsecond, true
		}
	}
	return 0, false
}

// BenchmarkTimerFloor measures how late this host wakes a thread that does
// nothing but sleep to an absolute time: Debian's cyclictest, one
// SCHED_FIFO thread at rtBenchPriority, every millisecond for 100 s
// (SEESAW_BENCH_FLOOR_LOOPS wake-ups). No sender that sleeps until its due
// time, seesaw's or keepalived's, can be steadier on this host than these
// quantiles; an advert interval's jitter can reach twice a wake-up's
// lateness (one late wake shortens the next interval as much as it
// lengthened its own).
func BenchmarkTimerFloor(b *testing.B) {
	path, err := exec.LookPath(floorCommand)
	if err != nil {
		b.Fatalf("%s not found (apt-get install rt-tests): %v", floorCommand, err)
	}
	loops := envInt("SEESAW_BENCH_FLOOR_LOOPS", 100000)
	const rangeUS = 100000 // bins up to 100 ms
	cmd := exec.Command(path, "--laptop", "-m", "-q", "-p", strconv.Itoa(rtBenchPriority), "-i", "1000",
		"-l", strconv.Itoa(loops), "-h", strconv.Itoa(rangeUS))
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("%s: %v: %s", cmd, err, out)
	}
	h, err := parseCyclictestHistogram(out)
	if err != nil {
		b.Fatalf("%s: %v", cmd, err)
	}
	fmt.Printf("\ntimer floor: %d wake-ups of a SCHED_FIFO %d thread every 1 ms (cyclictest), lateness in ms\n",
		h.total(), rtBenchPriority)
	fmt.Printf("%8s %8s %8s %8s %8s %8s %10s\n", "p50", "p99", "p99.9", "p99.99", "max", ">1ms", "overflows")
	var cols []string
	for _, q := range []float64{0.5, 0.99, 0.999, 0.9999} {
		if d, ok := h.quantile(q); ok {
			cols = append(cols, ms(d))
		} else {
			cols = append(cols, ">"+ms(rangeUS*time.Microsecond))
		}
	}
	over1 := h.Overflows
	for us, c := range h.Counts {
		if us > 1000 {
			over1 += c
		}
	}
	fmt.Printf("%8s %8s %8s %8s %8s %8d %10d\n", cols[0], cols[1], cols[2], cols[3], ms(h.Max), over1, h.Overflows)
	p999, _ := h.quantile(0.999)
	benchrow.Write(os.Stdout, "vrrp (host timer floor)", "SCHED_FIFO wake-up lateness p99.9, cyclictest every 1 ms",
		ms(p999)+" ms", "1.000 ms (issue 17's target for advert jitter)", float64(p999)/float64(time.Millisecond))
}
