package daemon

import "github.com/prometheus/client_golang/prometheus"

// hookCollector reads the notify hooks' counts at scrape time.
type hookCollector struct{ w *wiring }

var (
	descHookRuns    = prometheus.NewDesc("seesaw_hook_runs_total", "Runs of each notify hook, by result (ok, failed: a non-zero exit or a program that did not start, timeout: killed).", []string{"hook", "result"}, nil)
	descHookDropped = prometheus.NewDesc("seesaw_hook_dropped_total", "Events a notify hook never ran: pushed out of its full queue (the oldest go), queued when the hook was removed, or left at shutdown (all but stop).", []string{"hook"}, nil)
	descHookRunning = prometheus.NewDesc("seesaw_hook_running", "1 while a run of the notify hook is under way.", []string{"hook"}, nil)
)

func (hookCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descHookRuns
	ch <- descHookDropped
	ch <- descHookRunning
}

func (c hookCollector) Collect(ch chan<- prometheus.Metric) {
	if c.w.hooks == nil {
		return
	}
	for name, s := range c.w.hooks.runner.Stats() {
		ch <- prometheus.MustNewConstMetric(descHookRuns, prometheus.CounterValue, float64(s.OK), name, "ok")
		ch <- prometheus.MustNewConstMetric(descHookRuns, prometheus.CounterValue, float64(s.Failed), name, "failed")
		ch <- prometheus.MustNewConstMetric(descHookRuns, prometheus.CounterValue, float64(s.Timeout), name, "timeout")
		ch <- prometheus.MustNewConstMetric(descHookDropped, prometheus.CounterValue, float64(s.Dropped), name)
		ch <- prometheus.MustNewConstMetric(descHookRunning, prometheus.GaugeValue, b2f(s.Running), name)
	}
}
