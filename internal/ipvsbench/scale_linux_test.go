//go:build linux

package ipvsbench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	mobyipvs "github.com/moby/ipvs"

	"github.com/seesaw-lb/seesaw/internal/benchrow"
	"github.com/seesaw-lb/seesaw/kernel"
)

var (
	scaleLayouts = flag.String("ipvsbench.scale", "1000x10:1m,10000x10:5m,1000x100:2m",
		"BenchmarkScale: SERVICESxDESTINATIONS:STEADY layouts, STEADY being how long the idle daemon's CPU is sampled")
	scaleDaemon = flag.String("ipvsbench.daemon", "/usr/local/bin/seesaw-reconcile",
		"BenchmarkScale: the daemon binary, or several separated by commas, each measured at every layout in turn (before and after a change, under the same load)")
	scaleEdits = flag.Int("ipvsbench.edits", 20, "BenchmarkScale: edits timed per layout")
)

// scaleFiles is how many files hold a layout's services.
const scaleFiles = 100

// scaleFile renders services [first, first+n) with d backends each; the
// first backend of service edited gets weight w, every other weight 1.
// Service i listens on 192.0.2.(1+i/250), TCP port 1000+i%250.
func scaleFile(first, n, d, edited, w int) string {
	var b strings.Builder
	b.WriteString("services:\n")
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "  - name: s%05d\n    vip: 192.0.2.%d\n    ports: [{proto: tcp, port: %d}]\n    backends:\n", i, 1+i/250, 1000+i%250)
		for j := range d {
			weight := 1
			if i == edited && j == 0 {
				weight = w
			}
			fmt.Fprintf(&b, "      - {address: 198.51.100.%d, weight: %d}\n", 1+j, weight)
		}
	}
	return b.String()
}

// scaleResult holds one layout's figures.
type scaleResult struct {
	daemon                      string // the binary, when several are compared
	n, d                        int
	cold, coldCPU, restart      time.Duration
	coldOps, restartOps         string
	ipvsadmR, apply             time.Duration
	read, ipvsadmS, moby        sample
	steady                      time.Duration
	steadyAvg, steadyMax        float64 // share of a core
	steadyTop                   []float64
	rss, peak                   int64
	editP50, editMax, ipvsadmE1 time.Duration
	edits                       int
}

// BenchmarkScale measures the daemon (a seesaw-reconcile process, default
// resync interval) at the layouts of -ipvsbench.scale: cold start with an
// empty table to converged, restart adopting the full table (ops applied
// must be zero), one full read by kernel.Snapshot against ipvsadm -Sn and
// moby/ipvs, the idle daemon's CPU second by second (average, busiest
// second) and RSS, and the edit-to-kernel median under that table; peers
// in the same run: ipvsadm -R and kernel.Apply for the cold load, one
// ipvsadm -e for the edit. Run it in the VM: make scalebench. Several
// daemons (-ipvsbench.daemon A,B: say the tree before a change, copied in
// with run.sh --extra, and after it) are measured one after the other at
// each layout, the peers with the last; -ipvsbench.scaleprofile adds the
// idle daemon's CPU and heap profiles and its garbage collections.
func BenchmarkScale(b *testing.B) {
	if os.Getenv("SEESAW_VM") != "1" {
		b.Skip("set SEESAW_VM=1 (inside the test VM: make scalebench) to benchmark the real kernel")
	}
	var results []scaleResult
	for _, spec := range strings.Split(*scaleLayouts, ",") {
		var n, d int
		var steady time.Duration
		nd, st, _ := strings.Cut(spec, ":")
		ns, ds, _ := strings.Cut(nd, "x")
		n, err1 := strconv.Atoi(ns)
		d, err2 := strconv.Atoi(ds)
		steady, err3 := time.ParseDuration(st)
		if err1 != nil || err2 != nil || err3 != nil || n%scaleFiles != 0 || d > 250 {
			b.Fatalf("layout %q: want SERVICESxDESTINATIONS:STEADY, services a multiple of %d, at most 250 destinations", spec, scaleFiles)
		}
		bins := strings.Split(*scaleDaemon, ",")
		for i, bin := range bins {
			// The full reads and cold loads do not depend on the daemon:
			// with several daemons, they are measured with the last.
			r := scaleLayout(b, n, d, steady, bin, i == len(bins)-1)
			if len(bins) > 1 {
				r.daemon = bin
			}
			results = append(results, r)
			printScale(r)
		}
	}
	printEditRatio(results)
}

func scaleLayout(b *testing.B, n, d int, steady time.Duration, bin string, peers bool) scaleResult {
	h := &harness{b: b, samples: map[string][]sample{}, order: map[string][]string{}}
	Services, Dests = n, d
	r := scaleResult{n: n, d: d, steady: steady, edits: *scaleEdits}
	dir := b.TempDir()
	write := func(name, content string) {
		h.fatal(os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
	}
	write("node.yaml", "node: {name: vm, interface: dummy0, scope: {prefixes: [192.0.2.0/24]}}\n")
	per := n / scaleFiles
	for f := range scaleFiles {
		write(fmt.Sprintf("s%03d.yaml", f), scaleFile(per*f, per, d, -1, 0))
	}
	ns := h.scratch(nil)
	defer h.drop(ns)

	// Cold start, then restart adopting the table.
	start := time.Now()
	dm, err := startDaemon(ns, bin, dir)
	h.fatal(err)
	line, err := dm.waitLog(30*time.Minute, "first round done")
	h.fatal(err)
	r.cold, r.coldOps = time.Since(start), logValue(line, "ops")
	r.coldCPU, _ = procCPU(dm.cmd.Process.Pid)
	h.fatal(dm.stop())
	start = time.Now()
	var env []string
	if *scaleProfile {
		env = append(env, "GODEBUG=gctrace=1")
	}
	dm, err = startDaemon(ns, bin, dir, env...)
	h.fatal(err)
	defer dm.stop()
	line, err = dm.waitLog(30*time.Minute, "first round done")
	h.fatal(err)
	r.restart, r.restartOps = time.Since(start), logValue(line, "ops")

	// One full read, interleaved with the peers, the daemon running.
	reads := 0
	if peers {
		reads = 3
	}
	for range reads {
		for _, c := range []contender{
			{"read", "seesaw kernel.Snapshot", false, snapshotWith(0, 0)},
			{"read", "ipvsadm -Sn", false, func() error { return ipvsadm("", io.Discard, "-Sn") }},
			{"read", "moby/ipvs", false, withMoby(func(m *mobyipvs.Handle) error { return checkCount(mobyRead(m)) })},
		} {
			h.measureOnce(ns, c)
		}
	}
	if peers {
		r.read, r.ipvsadmS, r.moby = median(h.samples["read/seesaw kernel.Snapshot"]), median(h.samples["read/ipvsadm -Sn"]), median(h.samples["read/moby/ipvs"])
	}

	// The idle daemon, second by second.
	pid := dm.cmd.Process.Pid
	fig := fmt.Sprintf("%dx%d", n, d)
	var profiled <-chan [2][]byte
	logAt := len(dm.logText())
	if *scaleProfile {
		// A daemon without the profile endpoint is still measured.
		if heap0, ch, err := steadyProfile(filepath.Join(dir, "control.sock"), steady); err != nil {
			fmt.Printf("daemon %s: no profile: %v\n", bin, err)
		} else {
			printProfile("daemon-heap-start-"+fig+"-"+filepath.Base(bin), heap0)
			profiled = ch
		}
	}
	var shares []float64
	prev, _ := procCPU(pid)
	prevAt := time.Now()
	for deadline := time.Now().Add(steady); time.Now().Before(deadline); {
		time.Sleep(time.Second)
		cpu, err := procCPU(pid)
		h.fatal(err)
		shares = append(shares, (cpu-prev).Seconds()/time.Since(prevAt).Seconds())
		prev, prevAt = cpu, time.Now()
	}
	var sum float64
	for _, s := range shares {
		sum += s
	}
	r.steadyAvg = sum / float64(max(len(shares), 1))
	slices.Sort(shares)
	r.steadyMax = shares[len(shares)-1]
	r.steadyTop = shares[max(0, len(shares)-5):]
	r.rss, r.peak, _ = procMem(pid)
	for _, l := range strings.Split(dm.logText()[logAt:], "\n") {
		if strings.Contains(l, "resync:") {
			fmt.Printf("daemon log, steady phase: %s\n", l)
		}
	}
	if profiled != nil {
		p := <-profiled
		printProfile("daemon-cpu-"+fig+"-"+filepath.Base(bin), p[0])
		printProfile("daemon-heap-end-"+fig+"-"+filepath.Base(bin), p[1])
	}
	if *scaleProfile {
		gcs := gcLines(dm.logText()[logAt:])
		fmt.Printf("daemon garbage collections in the steady phase (%v): %d\n%s\n", steady, len(gcs), strings.Join(gcs, "\n"))
	}

	// Edits under the table: the file of service e, its first backend.
	e := n/2 + 5
	key := kernel.NewServiceKey(kernel.TCP, netip.AddrFrom4([4]byte{192, 0, 2, byte(1 + e/250)}), uint16(1000+e%250))
	h.fatal(inNS(ns, func() error {
		c, err := kernel.Dial(kernel.Options{})
		if err != nil {
			return err
		}
		defer c.Close()
		weight := func() uint32 {
			ds, err := c.Destinations(context.Background(), key)
			if err != nil || len(ds) == 0 {
				return 0
			}
			slices.SortFunc(ds, func(a, b kernel.Destination) int { return kernel.CompareDestinationKeys(a.Key, b.Key) })
			return ds[0].Config.Weight
		}
		var lat []time.Duration
		for i := range r.edits {
			w := 2 + i%100
			t0 := time.Now()
			write(fmt.Sprintf("s%03d.yaml", e/per), scaleFile(e/per*per, per, d, e, w))
			for weight() != uint32(w) {
				if time.Since(t0) > time.Minute {
					return fmt.Errorf("edit %d not in the kernel after a minute:\n%s", i, dm.logText())
				}
				time.Sleep(time.Millisecond)
			}
			lat = append(lat, time.Since(t0))
		}
		slices.Sort(lat)
		r.editP50, r.editMax = lat[len(lat)/2], lat[len(lat)-1]
		var es []time.Duration
		for range 5 {
			t0 := time.Now()
			if err := ipvsadm("", io.Discard, "-e", "-t", netip.AddrPortFrom(key.Addr, key.Port).String(), "-r", "198.51.100.1:"+strconv.Itoa(int(key.Port)), "-w", "1"); err != nil {
				return err
			}
			es = append(es, time.Since(t0))
		}
		slices.Sort(es)
		r.ipvsadmE1 = es[len(es)/2]
		return nil
	}))
	h.fatal(dm.stop())
	if !peers {
		return r
	}

	// Cold-load peers, each in a fresh namespace.
	for _, c := range []contender{
		{"cold", "ipvsadm -R", true, func() error { return ipvsadm(Rules(), io.Discard, "-R") }},
		{"cold", "kernel.Apply", true, applyWith(128)},
	} {
		fresh := h.scratch(nil)
		h.measureOnce(fresh, c)
		h.drop(fresh)
	}
	r.ipvsadmR, r.apply = h.samples["cold/ipvsadm -R"][0].wall, h.samples["cold/kernel.Apply"][0].wall
	return r
}

// logValue returns the value of key=value in a text log line.
func logValue(line, key string) string {
	for _, f := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(f, key+"="); ok {
			return v
		}
	}
	return "?"
}

func printScale(r scaleResult) {
	sec := func(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
	msf := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }
	pct := func(f float64) string { return fmt.Sprintf("%.1f %%", 100*f) }
	fig := fmt.Sprintf("%d x %d", r.n, r.d)
	fmt.Printf("\nscale: %d services x %d destinations, the daemon with the default resync (30 s), VM (TCG)\n", r.n, r.d)
	if r.daemon != "" {
		fmt.Printf("daemon: %s\n", r.daemon)
		fig += " (" + filepath.Base(r.daemon) + ")"
	}
	fmt.Printf("%-44s %14s   %-34s %14s %8s\n", "figure", "seesaw", "peer (same run)", "peer", "ratio")
	row := func(what, ours, peerName, peer string, ratio float64) {
		rs := ""
		if ratio > 0 {
			rs = fmt.Sprintf("%.2fx", ratio)
		}
		fmt.Printf("%-44s %14s   %-34s %14s %8s\n", what, ours, peerName, peer, rs)
	}
	suite := "scale in the VM (peer: same run)"
	ratio := func(a, b time.Duration) float64 { return float64(a) / float64(max(b, 1)) }
	peers := r.read.wall > 0 // with several daemons, only the last measured the peers
	if peers {
		row("cold start to converged (ops "+r.coldOps+")", sec(r.cold), "ipvsadm -R of the same table", sec(r.ipvsadmR), ratio(r.cold, r.ipvsadmR))
		row("cold start to converged", sec(r.cold), "kernel.Apply alone (batch 128)", sec(r.apply), ratio(r.cold, r.apply))
	} else {
		row("cold start to converged (ops "+r.coldOps+")", sec(r.cold), "", "", 0)
	}
	row("  the daemon's CPU in it", sec(r.coldCPU), "", "", 0)
	if peers {
		row("restart adopting the table (ops "+r.restartOps+")", sec(r.restart), "ipvsadm -Sn (one full read)", sec(r.ipvsadmS.wall), ratio(r.restart, r.ipvsadmS.wall))
		row("one full read, wall (kernel.Snapshot)", sec(r.read.wall), "moby/ipvs", sec(r.moby.wall), ratio(r.read.wall, r.moby.wall))
		row("one full read, CPU", sec(r.read.cpu), "moby/ipvs", sec(r.moby.cpu), ratio(r.read.cpu, r.moby.cpu))
		row("one full read, wall", sec(r.read.wall), "ipvsadm -Sn", sec(r.ipvsadmS.wall), ratio(r.read.wall, r.ipvsadmS.wall))
	} else {
		row("restart adopting the table (ops "+r.restartOps+")", sec(r.restart), "", "", 0)
	}
	row(fmt.Sprintf("idle daemon CPU, mean over %v", r.steady), pct(r.steadyAvg), "", "", 0)
	row("idle daemon CPU, busiest second", pct(r.steadyMax), "", "", 0)
	row("daemon RSS (now / peak)", fmt.Sprintf("%d / %d MB", r.rss>>20, r.peak>>20), "", "", 0)
	row(fmt.Sprintf("edit->kernel median (%d edits)", r.edits), msf(r.editP50), "one ipvsadm -e", msf(r.ipvsadmE1), ratio(r.editP50, r.ipvsadmE1))
	row("edit->kernel slowest", msf(r.editMax), "", "", 0)
	tops := make([]string, len(r.steadyTop))
	for i, s := range r.steadyTop {
		tops[i] = pct(s)
	}
	fmt.Printf("busiest seconds: %s\n", strings.Join(tops, ", "))
	if peers {
		benchrow.Write(os.Stdout, suite, "cold start to converged, "+fig+" (peer: ipvsadm -R)", sec(r.cold), sec(r.ipvsadmR), ratio(r.cold, r.ipvsadmR))
		benchrow.Write(os.Stdout, suite, "restart adoption, "+fig+", ops "+r.restartOps+" (peer: ipvsadm -Sn)", sec(r.restart), sec(r.ipvsadmS.wall), ratio(r.restart, r.ipvsadmS.wall))
		benchrow.Write(os.Stdout, suite, "full read wall, "+fig+" (peer: moby/ipvs)", sec(r.read.wall), sec(r.moby.wall), ratio(r.read.wall, r.moby.wall))
		benchrow.Write(os.Stdout, suite, "full read CPU, "+fig+" (peer: moby/ipvs)", sec(r.read.cpu), sec(r.moby.cpu), ratio(r.read.cpu, r.moby.cpu))
	}
	benchrow.Write(os.Stdout, suite, "idle daemon CPU mean, "+fig, pct(r.steadyAvg), "-", 0)
	benchrow.Write(os.Stdout, suite, "idle daemon CPU busiest second, "+fig, pct(r.steadyMax), "-", 0)
	benchrow.Write(os.Stdout, suite, "daemon peak RSS, "+fig, fmt.Sprintf("%d MB", r.peak>>20), "-", 0)
	benchrow.Write(os.Stdout, suite, "edit->kernel median, "+fig+" (peer: one ipvsadm -e)", msf(r.editP50), msf(r.ipvsadmE1), ratio(r.editP50, r.ipvsadmE1))
}

// printEditRatio compares each layout's edit median with the 1,000 x 10
// layout's, when both ran.
func printEditRatio(rs []scaleResult) {
	var base *scaleResult
	for i := range rs {
		if rs[i].n == 1000 && rs[i].d == 10 {
			base = &rs[i]
		}
	}
	if base == nil {
		return
	}
	for _, r := range rs {
		if r.n*r.d <= base.n*base.d {
			continue
		}
		ratio := float64(r.editP50) / float64(max(base.editP50, 1))
		fmt.Printf("edit->kernel median at %d x %d: %.1f ms, %.2fx the 1,000 x 10 figure (%.1f ms)\n",
			r.n, r.d, float64(r.editP50)/1e6, ratio, float64(base.editP50)/1e6)
		benchrow.Write(os.Stdout, "scale in the VM (peer: same run)", fmt.Sprintf("edit->kernel median, %d x %d (peer: 1,000 x 10)", r.n, r.d),
			fmt.Sprintf("%.1f ms", float64(r.editP50)/1e6), fmt.Sprintf("%.1f ms", float64(base.editP50)/1e6), ratio)
	}
}
