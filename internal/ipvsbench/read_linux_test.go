//go:build linux

package ipvsbench

import (
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"testing"

	mobyipvs "github.com/moby/ipvs"

	"github.com/seesaw-lb/seesaw/internal/benchrow"
)

var (
	readServices = flag.Int("ipvsbench.services", 1000, "BenchmarkFullRead: services in the table")
	readDests    = flag.Int("ipvsbench.dests", 10, "BenchmarkFullRead: destinations per service")
	readProfile  = flag.Int("ipvsbench.profile", 0, "BenchmarkFullRead: CPU-profile the first run of Snapshot with this many sockets and print the profile, base64, between PPROF-BEGIN and PPROF-END lines")
)

// BenchmarkFullRead measures only the full read, on a table of
// -ipvsbench.services x -ipvsbench.dests, for kernel.Snapshot with 1, 2 and
// 4 sockets against moby/ipvs (the fastest peer of BenchmarkIPVSPeers),
// interleaved in the same namespace, then the single SET_DEST round trip
// against moby/ipvs's, and prints a table. Run it in the VM:
//
//	bash internal/vm/run.sh --pkg ./internal/ipvsbench --bench FullRead --arg -test.benchtime=1x --mem 2048
func BenchmarkFullRead(b *testing.B) {
	if os.Getenv("SEESAW_VM") != "1" {
		b.Skip("set SEESAW_VM=1 (inside the test VM) to benchmark the real kernel")
	}
	Services, Dests = *readServices, *readDests
	h := &harness{b: b, samples: map[string][]sample{}, order: map[string][]string{}}
	var prof bytes.Buffer
	profiled := func(sockets int, fn func() error) func() error {
		if *readProfile != sockets {
			return fn
		}
		return func() error {
			if prof.Len() > 0 {
				return fn()
			}
			if err := pprof.StartCPUProfile(&prof); err != nil {
				return err
			}
			defer pprof.StopCPUProfile()
			return fn()
		}
	}
	for range b.N {
		h.measureAll([]contender{
			{"full read", "moby/ipvs", false, withMoby(func(m *mobyipvs.Handle) error { return checkCount(mobyRead(m)) })},
			{"full read", "seesaw kernel.Snapshot (1 socket)", false, profiled(1, snapshotWith(1, 0))},
			{"full read", "seesaw kernel.Snapshot (2 sockets)", false, profiled(2, snapshotWith(2, 0))},
			{"full read", "seesaw kernel.Snapshot (4 sockets)", false, profiled(4, snapshotWith(4, 0))},
		}, applyWith(128))
	}
	ns := h.scratch(applyWith(128))
	var rt map[string][]time.Duration
	h.fatal(inNS(ns, func() (err error) { rt, err = roundTrips(); return err }))
	h.drop(ns)
	rows := h.rows("full read")
	fmt.Printf("\nfull read: %d services x %d destinations, median of %d interleaved rounds (%d samples each)\n",
		Services, Dests, rounds, len(h.samples["full read/moby/ipvs"]))
	fmt.Printf("%-36s %10s %10s %10s %10s %10s\n", "client", "wall", "/moby", "cpu", "/moby", "Go alloc")
	peer := rows[0].s
	for _, r := range rows {
		fmt.Printf("%-36s %10s %9.2fx %10s %9.2fx %9.1fM\n", r.name, r.s.wall.Round(time.Millisecond),
			float64(r.s.wall)/float64(peer.wall), r.s.cpu.Round(time.Millisecond),
			float64(r.s.cpu)/float64(max(peer.cpu, 1)), float64(r.s.alloc)/(1<<20))
	}
	fig := fmt.Sprintf("full read, %d x %d", Services, Dests)
	for _, r := range rows[1:] {
		benchrow.Write(os.Stdout, "kernel (peer: moby/ipvs)", r.name+", "+fig+", wall",
			r.s.wall.Round(time.Millisecond).String(), peer.wall.Round(time.Millisecond).String(), float64(r.s.wall)/float64(peer.wall))
		benchrow.Write(os.Stdout, "kernel (peer: moby/ipvs)", r.name+", "+fig+", CPU",
			r.s.cpu.Round(time.Millisecond).String(), peer.cpu.Round(time.Millisecond).String(), float64(r.s.cpu)/float64(max(peer.cpu, 1)))
	}
	fmt.Printf("\nsingle SET_DEST round trip, 1000 samples each (interleaved)\n")
	for _, n := range []string{"seesaw kernel.Apply (1 op)", "moby/ipvs UpdateDestination"} {
		fmt.Printf("%-36s median %5d µs   p99 %6d µs\n", n, percentile(rt[n], 50).Microseconds(), percentile(rt[n], 99).Microseconds())
	}
	ours, theirs := percentile(rt["seesaw kernel.Apply (1 op)"], 50), percentile(rt["moby/ipvs UpdateDestination"], 50)
	benchrow.Write(os.Stdout, "kernel (peer: moby/ipvs)", "single SET_DEST round trip, median", ours.String(), theirs.String(),
		float64(ours)/float64(max(theirs, 1)))
	if prof.Len() > 0 {
		fmt.Println("PPROF-BEGIN")
		fmt.Println(base64.StdEncoding.EncodeToString(prof.Bytes()))
		fmt.Println("PPROF-END")
	}
}
