package vrrp

import (
	"os"
	"runtime/metrics"
	"time"
)

// startLoad starts the load a node helper's environment asks for, for at
// most 30 minutes: SEESAW_VRRP_LOAD=N the allocation of N health checks,
// each probing every SEESAW_VRRP_LOAD_PERIOD (a duration, default 1s);
// SEESAW_VRRP_RELOAD=N a reload of an N-service configuration every 5 s.
func startLoad() {
	const bound = 30 * time.Minute
	if checks := envInt("SEESAW_VRRP_LOAD", 0); checks > 0 {
		period, err := time.ParseDuration(os.Getenv("SEESAW_VRRP_LOAD_PERIOD"))
		if err != nil || period <= 0 {
			period = time.Second
		}
		go healthcheckLoad(checks, period, bound)
	}
	if services := envInt("SEESAW_VRRP_RELOAD", 0); services > 0 {
		go func() {
			if err := reloadLoad(services, 5*time.Second, bound); err != nil {
				fail(err)
			}
		}()
	}
}

// gcFigures are a process's garbage collection figures from
// runtime/metrics: completed cycles and the stop-the-world pauses of the
// collector (from the stop request to the restart); and the timing
// thread's adverts whose lateness the host's run queue does not explain
// (more than 1 ms, and the most), the share of the Go runtime.
type gcFigures struct {
	Cycles    uint64        `json:"cycles"`
	Pauses    uint64        `json:"pauses"`
	PauseP99  time.Duration `json:"pause_p99"`
	PauseMax  time.Duration `json:"pause_max"`
	GoLate    uint64        `json:"go_late"`
	MaxGoLate time.Duration `json:"max_go_late"`
}

// readGCFigures reads this process's gcFigures. Pause quantiles are the
// upper bounds of runtime/metrics' histogram buckets.
func readGCFigures() gcFigures {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/sched/pauses/total/gc:seconds"}}
	metrics.Read(s)
	var g gcFigures
	if s[0].Value.Kind() == metrics.KindUint64 {
		g.Cycles = s[0].Value.Uint64()
	}
	if s[1].Value.Kind() != metrics.KindFloat64Histogram {
		return g
	}
	h := s[1].Value.Float64Histogram()
	for _, c := range h.Counts {
		g.Pauses += c
	}
	var seen uint64
	for i, c := range h.Counts {
		if c == 0 {
			continue
		}
		seen += c
		upper := time.Duration(h.Buckets[i+1] * 1e9)
		if h.Buckets[i+1] > 1e9 { // the last bucket is open-ended
			upper = time.Duration(h.Buckets[i] * 1e9)
		}
		if g.PauseP99 == 0 && float64(seen) >= 0.99*float64(g.Pauses) {
			g.PauseP99 = upper
		}
		g.PauseMax = upper
	}
	return g
}
