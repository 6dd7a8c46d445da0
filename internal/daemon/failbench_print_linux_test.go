package daemon

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/seesaw-lb/seesaw/internal/benchrow"
)

// nearestRank returns the q-quantile of sorted xs (0 when empty).
func nearestRank(xs []time.Duration, q float64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	return xs[max(int(math.Ceil(q*float64(len(xs))))-1, 0)]
}

func msText(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) }

// cpuPercent is cpu as a share of one core over the window.
func cpuPercent(cpu, window time.Duration) string {
	return strconv.FormatFloat(100*float64(cpu)/float64(window), 'f', 1, 64)
}

// printFailBench prints the table and the BENCHROW lines of the failover
// benchmark.
func printFailBench(window time.Duration, loadBefore, loadAfter string, ss, ka failResult) {
	fmt.Printf("\nspurious failovers under load, 100 ms adverts, window %v, both pairs at once; beside each master:\n", window)
	fmt.Printf("10,000 tcp checks at 1 s and a 1,000-service config rewritten every 5 s; load average before %s, after %s\n", loadBefore, loadAfter)
	fmt.Printf("%-11s %9s %8s %8s %12s %11s %11s %9s %12s %9s\n", "pair", "failovers", "adverts", "reloads",
		"gap max ms", "gap p99.9", "master cpu%", "load cpu%", "gc p99 ms", "gc count")
	for _, row := range []struct {
		name string
		r    failResult
	}{{"seesaw", ss}, {"keepalived", ka}} {
		r := row.r
		gmax := time.Duration(0)
		if len(r.gaps) > 0 {
			gmax = r.gaps[len(r.gaps)-1]
		}
		gc := "-"
		if len(r.gcPauses) > 0 {
			gc = strconv.FormatFloat(float64(nearestRank(r.gcPauses, 0.99))/1e6, 'f', 3, 64)
		}
		fmt.Printf("%-11s %9d %8d %8d %12s %11s %11s %9s %12s %9d\n", row.name, r.failovers, r.adverts, r.reloads,
			msText(gmax), msText(nearestRank(r.gaps, 0.999)), cpuPercent(r.masterCPU, window), cpuPercent(r.loadCPU, window), gc, len(r.gcPauses))
	}
	fmt.Println("gc columns: the seesaw master; for keepalived, the seesaw load process beside it (keepalived has no GC)")
	for _, e := range append(ss.events, ka.events...) {
		fmt.Println("  state change in the window:", e)
	}
	suite := "failover under load (peer: keepalived)"
	ratio := float64(ss.failovers) / float64(ka.failovers) // not finite when keepalived had none: printed as "-"
	benchrow.Write(os.Stdout, suite, fmt.Sprintf("spurious failovers in %v", window),
		strconv.Itoa(ss.failovers), strconv.Itoa(ka.failovers), ratio)
	smax, kmax := nearestRank(ss.gaps, 1), nearestRank(ka.gaps, 1)
	benchrow.Write(os.Stdout, suite, "longest advert gap seen by the backup", msText(smax)+" ms", msText(kmax)+" ms",
		float64(smax)/float64(max(kmax, 1)))
	benchrow.Write(os.Stdout, suite, "master VRRP process CPU (seesaw: with the checks and reloads)",
		cpuPercent(ss.masterCPU, window)+" %", cpuPercent(ka.masterCPU, window)+" %", float64(ss.masterCPU)/float64(max(ka.masterCPU, 1)))
}
