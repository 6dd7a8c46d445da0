package daemon

import (
	"context"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/seesaw-lb/seesaw/checks"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/vrrp"
)

// metrics are the daemon's Prometheus metrics. Counters that must see every
// event (ops, reloads) are updated where the event happens; the rest are
// read from the parts' snapshots at scrape time (collector).
type metrics struct {
	reg         *prometheus.Registry
	ops         *prometheus.CounterVec
	planSize    prometheus.Histogram
	applyTime   prometheus.Histogram
	reloads     *prometheus.CounterVec
	configError prometheus.Gauge
	checkTime   *prometheus.HistogramVec
	// stateFileErrors counts failed reads and writes of state files.
	stateFileErrors *prometheus.CounterVec
	// trafficErrors counts scrapes whose read of the IPVS counters failed.
	trafficErrors prometheus.Counter
}

// newMetrics registers every metric of the daemon; w supplies the snapshots.
func newMetrics(w *wiring) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		ops: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "seesaw_ipvs_operations_total",
			Help: "IPVS operations sent to the kernel, by operation and result (applied or failed)."}, []string{"op", "result"}),
		planSize: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "seesaw_reconcile_plan_operations",
			Help: "Operations per applied plan.", Buckets: prometheus.ExponentialBuckets(1, 4, 8)}),
		applyTime: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "seesaw_reconcile_apply_duration_seconds",
			Help: "Time to apply one plan to the kernel.", Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10)}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "seesaw_config_reloads_total",
			Help: "Configuration loads, by result (success or failure)."}, []string{"result"}),
		configError: prometheus.NewGauge(prometheus.GaugeOpts{Name: "seesaw_config_error_held",
			Help: "1 while the latest configuration is invalid and the last valid one keeps running."}),
		checkTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "seesaw_check_duration_seconds",
			Help:    "Time each completed health check took, by type and result (success or failure).",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10)}, []string{"type", "result"}),
		stateFileErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "seesaw_state_file_errors_total",
			Help: "Failed reads and writes of state files, by file (overrides)."}, []string{"file"}),
	}
	m.trafficErrors = prometheus.NewCounter(prometheus.CounterOpts{Name: "seesaw_ipvs_traffic_read_errors_total",
		Help: "Scrapes whose read of the IPVS counters failed (the traffic metrics are then absent)."})
	m.stateFileErrors.WithLabelValues("overrides")
	m.reloads.WithLabelValues("success")
	m.reloads.WithLabelValues("failure")
	m.reg.MustRegister(m.ops, m.planSize, m.applyTime, m.reloads, m.configError, m.checkTime, m.stateFileErrors,
		m.trafficErrors, &collector{w: w, results: newResultCounter()}, bgpCollector{w: w}, hookCollector{w: w}, settingsCollector{w: w}, newResyncCollector(w), hostCollector{h: w.host}, collectors.NewGoCollector())
	return m
}

// reloaded counts one configuration load.
func (m *metrics) reloaded(err error) {
	if err != nil {
		m.reloads.WithLabelValues("failure").Inc()
		m.configError.Set(1)
		return
	}
	m.reloads.WithLabelValues("success").Inc()
	m.configError.Set(0)
}

// checkDone observes one completed check (checks.Options.OnResult).
func (m *metrics) checkDone(r checks.Result) {
	result := "success"
	if r.Err != nil {
		result = "failure"
	}
	m.checkTime.WithLabelValues(string(r.Type), result).Observe(r.Latency.Seconds())
}

// opLabel renders an op kind as a label value: "add_service".
func opLabel(k kernel.OpKind) string { return strings.ReplaceAll(k.String(), " ", "_") }

// meteredIPVS counts the ops and times the plans applied through it.
type meteredIPVS struct {
	kernel.IPVS
	m *metrics
}

// Apply applies ops and counts them by kind and result.
func (k meteredIPVS) Apply(ctx context.Context, ops []kernel.Op) ([]kernel.Result, error) {
	start := time.Now()
	res, err := k.IPVS.Apply(ctx, ops)
	k.m.applyTime.Observe(time.Since(start).Seconds())
	k.m.planSize.Observe(float64(len(ops)))
	if err != nil {
		for _, op := range ops {
			k.m.ops.WithLabelValues(opLabel(op.Kind), "failed").Inc()
		}
		return res, err
	}
	for _, r := range res {
		result := "applied"
		if r.Err != nil {
			result = "failed"
		}
		k.m.ops.WithLabelValues(opLabel(r.Op.Kind), result).Inc()
	}
	return res, err
}

// collector reads the loop, engine and VRRP snapshots at scrape time.
type collector struct {
	w       *wiring
	results *resultCounter
}

var (
	descRounds      = prometheus.NewDesc("seesaw_reconcile_runs_total", "Reconcile rounds run.", nil, nil)
	descGeneration  = prometheus.NewDesc("seesaw_config_generation", "Valid configurations taken into force since start.", nil, nil)
	descVRRPState   = prometheus.NewDesc("seesaw_vrrp_state", "1 for each VRRP instance's current state (standalone: no vrrp section, instance \"\").", []string{"instance", "state"}, nil)
	descVRRPTrans   = prometheus.NewDesc("seesaw_vrrp_transitions_total", "VRRP state changes, by instance, from and to.", []string{"instance", "from", "to"}, nil)
	descVRRPDrops   = prometheus.NewDesc("seesaw_vrrp_dropped_packets_total", "VRRP packets dropped, by instance and reason.", []string{"instance", "reason"}, nil)
	descVRRPRecv    = prometheus.NewDesc("seesaw_vrrp_received_adverts_total", "Valid VRRP adverts received, by instance.", []string{"instance"}, nil)
	descVRRPSent    = prometheus.NewDesc("seesaw_vrrp_sent_adverts_total", "VRRP adverts sent, by instance.", []string{"instance"}, nil)
	descVRRPTiming  = prometheus.NewDesc("seesaw_vrrp_advert_timing", "1 for the path each instance's adverts are timed on as master (runtime, kernel, thread, process).", []string{"instance", "path"}, nil)
	descVRRPLate    = prometheus.NewDesc("seesaw_vrrp_late_adverts_total", "Adverts the timing thread sent more than 1 ms after their due time, by instance.", []string{"instance"}, nil)
	descVRRPLower   = prometheus.NewDesc("seesaw_vrrp_lower_priority_adverts_total", "Adverts a master read from a router it outranks (a master that had not yet yielded; the VIPs are announced again), by instance.", []string{"instance"}, nil)
	descVRRPMaxLate = prometheus.NewDesc("seesaw_vrrp_max_advert_lateness_seconds", "The latest any advert of the timing thread left after its due time, by instance.", []string{"instance"}, nil)
	descVRRPSender  = prometheus.NewDesc("seesaw_vrrp_advert_sender_total", "Advert sender process events, by instance: adverts it repeated on its lease, adverts handed it did not send (dropped), leases that ran out (lease_expired), and processes lost to the timing thread (lost).", []string{"instance", "event"}, nil)
	descChecksRun   = prometheus.NewDesc("seesaw_checks_total", "Health checks completed, by result (success or failure).", []string{"result"}, nil)
	descChecksState = prometheus.NewDesc("seesaw_checks", "Distinct health checks, by type and state.", []string{"type", "state"}, nil)
	descResults     = prometheus.NewDesc("seesaw_check_results_total", "Health check results, by type and result (success or failure).", []string{"type", "result"}, nil)
	descCheckLat    = prometheus.NewDesc("seesaw_check_last_latency_seconds", "Mean latency of the last result of each check, by type.", []string{"type"}, nil)
	descHealthy     = prometheus.NewDesc("seesaw_service_healthy_backends", "Enabled backends that are healthy, by service.", []string{"service"}, nil)
	descEnabled     = prometheus.NewDesc("seesaw_service_enabled_backends", "Enabled backends, by service.", []string{"service"}, nil)
	descUnmatched   = prometheus.NewDesc("seesaw_check_probe_replies_unmatched_total", "Segments reaching the half-open probe sockets that answer no probe in flight (late replies, other traffic to the probe ports); dropped.", nil, nil)
	descServiceUp   = prometheus.NewDesc("seesaw_service_up", "1 while the service is at or above its watermark (up).", []string{"service"}, nil)
	descFallback    = prometheus.NewDesc("seesaw_service_fallbacks_in_use", "Fallbacks (sorry servers) carrying the service's traffic: it has no backend with traffic.", []string{"service"}, nil)
	descDegraded    = prometheus.NewDesc("seesaw_degraded", "1 while a part not needed to forward traffic is failing (metrics, control socket, overrides file).", []string{"part"}, nil)
)

// Describe sends every descriptor.
func (*collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRounds, descGeneration, descVRRPState, descVRRPTrans, descVRRPDrops,
		descVRRPRecv, descVRRPSent, descVRRPTiming, descVRRPLate, descVRRPMaxLate, descVRRPSender, descVRRPLower, descChecksRun, descChecksState, descResults, descCheckLat, descHealthy, descEnabled, descServiceUp, descFallback, descUnmatched, descDegraded} {
		ch <- d
	}
}

// Collect reads the snapshots.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	ls := c.w.loop.Status()
	ch <- prometheus.MustNewConstMetric(descRounds, prometheus.CounterValue, float64(ls.Rounds))
	ch <- prometheus.MustNewConstMetric(descGeneration, prometheus.GaugeValue, float64(ls.Generation))
	for _, s := range ls.Services {
		ch <- prometheus.MustNewConstMetric(descHealthy, prometheus.GaugeValue, float64(s.Healthy), s.Name)
		ch <- prometheus.MustNewConstMetric(descEnabled, prometheus.GaugeValue, float64(s.Enabled), s.Name)
		ch <- prometheus.MustNewConstMetric(descServiceUp, prometheus.GaugeValue, b2f(s.Up), s.Name)
		ch <- prometheus.MustNewConstMetric(descFallback, prometheus.GaugeValue, float64(s.Fallback), s.Name)
	}
	c.collectVRRP(ch)
	degraded := c.w.degradedNow()
	for _, part := range []string{partMetrics, partControl, partOverrides} {
		_, failing := degraded[part]
		ch <- prometheus.MustNewConstMetric(descDegraded, prometheus.GaugeValue, b2f(failing), part)
	}
	st := c.w.engine.Stats()
	ch <- prometheus.MustNewConstMetric(descChecksRun, prometheus.CounterValue, float64(st.Completed-st.Failed), "success")
	ch <- prometheus.MustNewConstMetric(descChecksRun, prometheus.CounterValue, float64(st.Failed), "failure")
	ch <- prometheus.MustNewConstMetric(descUnmatched, prometheus.CounterValue, float64(st.HalfOpenUnmatched))
	type agg struct {
		up, down, n int
		lat         time.Duration
	}
	byType := map[checks.Type]*agg{}
	statuses := c.w.engine.Statuses()
	for k, n := range c.results.add(statuses) {
		ch <- prometheus.MustNewConstMetric(descResults, prometheus.CounterValue, float64(n), string(k.typ), k.result)
	}
	for _, s := range statuses {
		a := byType[s.Type]
		if a == nil {
			a = &agg{}
			byType[s.Type] = a
		}
		if s.State == checks.StateUp {
			a.up++
		} else {
			a.down++
		}
		if !s.LastCheck.IsZero() {
			a.n++
			a.lat += s.Latency
		}
	}
	for t, a := range byType {
		ch <- prometheus.MustNewConstMetric(descChecksState, prometheus.GaugeValue, float64(a.up), string(t), "up")
		ch <- prometheus.MustNewConstMetric(descChecksState, prometheus.GaugeValue, float64(a.down), string(t), "down")
		if a.n > 0 {
			ch <- prometheus.MustNewConstMetric(descCheckLat, prometheus.GaugeValue, (a.lat / time.Duration(a.n)).Seconds(), string(t))
		}
	}
}

// collectVRRP reports each VRRP instance's virtual router, or state
// "standalone" (instance "").
func (c *collector) collectVRRP(ch chan<- prometheus.Metric) {
	views := c.w.instanceViews()
	if len(views) == 0 {
		ch <- prometheus.MustNewConstMetric(descVRRPState, prometheus.GaugeValue, 1, "", "standalone")
		return
	}
	for _, v := range views {
		collectInstance(ch, v.name, v.node.Stats())
	}
}

// collectInstance reports one instance's virtual router.
func collectInstance(ch chan<- prometheus.Metric, in string, s vrrp.Stats) {
	for _, name := range []string{"initialize", "backup", "master"} {
		ch <- prometheus.MustNewConstMetric(descVRRPState, prometheus.GaugeValue, b2f(strings.EqualFold(s.State.String(), name)), in, name)
	}
	for k, n := range s.Transitions {
		from, to, _ := strings.Cut(k, "->")
		ch <- prometheus.MustNewConstMetric(descVRRPTrans, prometheus.CounterValue, float64(n), in, from, to)
	}
	for r, n := range s.Drops {
		ch <- prometheus.MustNewConstMetric(descVRRPDrops, prometheus.CounterValue, float64(n), in, r)
	}
	ch <- prometheus.MustNewConstMetric(descVRRPRecv, prometheus.CounterValue, float64(s.Received), in)
	ch <- prometheus.MustNewConstMetric(descVRRPSent, prometheus.CounterValue, float64(s.Sent), in)
	if s.AdvertTiming != "" {
		ch <- prometheus.MustNewConstMetric(descVRRPTiming, prometheus.GaugeValue, 1, in, s.AdvertTiming)
	}
	ch <- prometheus.MustNewConstMetric(descVRRPLate, prometheus.CounterValue, float64(s.LateAdverts), in)
	ch <- prometheus.MustNewConstMetric(descVRRPMaxLate, prometheus.GaugeValue, s.MaxAdvertLateness.Seconds(), in)
	if s.AdvertTiming == vrrp.TimingProcess || s.SenderLost > 0 {
		for ev, n := range map[string]uint64{"repeated": s.AdvertsRepeated, "dropped": s.AdvertsDropped,
			"lease_expired": s.LeaseExpiries, "lost": s.SenderLost} {
			ch <- prometheus.MustNewConstMetric(descVRRPSender, prometheus.CounterValue, float64(n), in, ev)
		}
	}
	ch <- prometheus.MustNewConstMetric(descVRRPLower, prometheus.CounterValue, float64(s.LowerPriorityAdverts), in)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
