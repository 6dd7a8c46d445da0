package daemon

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seesaw-lb/seesaw/reconcile"
)

// gatherValues registers c alone and returns each series' value by name.
func gatherValues(t *testing.T, c prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			switch {
			case m.GetGauge() != nil:
				out[mf.GetName()] = m.GetGauge().GetValue()
			case m.GetCounter() != nil:
				out[mf.GetName()] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}

func TestResyncMetrics(t *testing.T) {
	st := reconcile.ResyncStatus{}
	c := resyncCollector{status: func() reconcile.ResyncStatus { return st }}
	if got := gatherValues(t, c); len(got) != 0 {
		t.Fatalf("before the first cycle: %v, want no series", got)
	}
	st = reconcile.ResyncStatus{Interval: 30 * time.Second, CPUBudget: 0.05, Cycles: 3, Stretched: 2,
		LastCycle: 378 * time.Second, LastCycleCPU: 18900 * time.Millisecond, LastCycleServices: 10000, LastCycleStretched: true}
	want := map[string]float64{
		"seesaw_resync_cycle_seconds":          378,
		"seesaw_resync_cycle_cpu_seconds":      18.9,
		"seesaw_resync_cycle_services":         10000,
		"seesaw_resync_interval_seconds":       30,
		"seesaw_resync_cpu_budget":             0.05,
		"seesaw_resync_cycles_total":           3,
		"seesaw_resync_stretched_cycles_total": 2,
	}
	if got := gatherValues(t, c); !maps.Equal(got, want) {
		t.Fatalf("resync metrics:\n%v\nwant:\n%v (names %v)", got, want, slices.Sorted(maps.Keys(want)))
	}
}
