package daemon

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/seesaw-lb/seesaw/reconcile"
)

// The periodic resync's metrics (reconcile.ResyncStatus): how long the last
// complete cycle took and what CPU it used, against the interval and the
// budget, so that a cycle stretched by the CPU budget shows on a graph.
var (
	descResyncCycle = prometheus.NewDesc("seesaw_resync_cycle_seconds",
		"Length of the last complete resync cycle (every service re-read once), from its first step to the next cycle's.", nil, nil)
	descResyncCycleCPU = prometheus.NewDesc("seesaw_resync_cycle_cpu_seconds",
		"Process CPU time of the last complete resync cycle's steps and the rounds they ran, the dumps' kernel time included.", nil, nil)
	descResyncServices = prometheus.NewDesc("seesaw_resync_cycle_services",
		"Services the last complete resync cycle re-read.", nil, nil)
	descResyncInterval = prometheus.NewDesc("seesaw_resync_interval_seconds",
		"The resync interval in force (node.resync_interval).", nil, nil)
	descResyncBudget = prometheus.NewDesc("seesaw_resync_cpu_budget",
		"The share of one core the resync may use (node.resync_cpu).", nil, nil)
	descResyncCycles = prometheus.NewDesc("seesaw_resync_cycles_total",
		"Complete resync cycles since start.", nil, nil)
	descResyncStretched = prometheus.NewDesc("seesaw_resync_stretched_cycles_total",
		"Resync cycles that took longer than the interval because the CPU budget or the wall-time share (1/5) held their steps back.", nil, nil)
)

// resyncCollector reads the loop's resync status at scrape time; it sends
// nothing before the first cycle ends.
type resyncCollector struct{ status func() reconcile.ResyncStatus }

// newResyncCollector reads the resync status of w's loop.
func newResyncCollector(w *wiring) resyncCollector {
	return resyncCollector{status: func() reconcile.ResyncStatus { return w.loop.Status().Resync }}
}

// Describe sends the descriptors.
func (resyncCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descResyncCycle, descResyncCycleCPU, descResyncServices,
		descResyncInterval, descResyncBudget, descResyncCycles, descResyncStretched} {
		ch <- d
	}
}

// Collect sends the last cycle's figures and the totals.
func (c resyncCollector) Collect(ch chan<- prometheus.Metric) {
	r := c.status()
	if r.Cycles == 0 {
		return
	}
	for _, m := range []struct {
		d *prometheus.Desc
		t prometheus.ValueType
		v float64
	}{
		{descResyncCycle, prometheus.GaugeValue, r.LastCycle.Seconds()},
		{descResyncCycleCPU, prometheus.GaugeValue, r.LastCycleCPU.Seconds()},
		{descResyncServices, prometheus.GaugeValue, float64(r.LastCycleServices)},
		{descResyncInterval, prometheus.GaugeValue, r.Interval.Seconds()},
		{descResyncBudget, prometheus.GaugeValue, r.CPUBudget},
		{descResyncCycles, prometheus.CounterValue, float64(r.Cycles)},
		{descResyncStretched, prometheus.CounterValue, float64(r.Stretched)},
	} {
		ch <- prometheus.MustNewConstMetric(m.d, m.t, m.v)
	}
}
