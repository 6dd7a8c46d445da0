package daemon

import (
	"log/slog"
	"reflect"
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel/checkpath"
)

// hostChecks runs anycastHostChecks on every config taken into force (the
// first at start) and keeps the result for status and metrics.
type hostChecks struct {
	sys checkpath.Sysctls // nil: never checked

	mu   sync.Mutex
	last []HostCheck
}

// update checks the host for cfg and logs a change: each failed check as
// a warning, or once that every check passes.
func (h *hostChecks) update(cfg desired.Config, log *slog.Logger) {
	if h == nil || h.sys == nil {
		return
	}
	cs := anycastHostChecks(cfg, h.sys)
	h.mu.Lock()
	prev := h.last
	h.last = cs
	h.mu.Unlock()
	if reflect.DeepEqual(prev, cs) {
		return
	}
	failed := failedHostChecks(cs)
	for _, c := range failed {
		log.Warn("host setting unfit for anycast VIPs", "setting", c.Setting, "value", c.Value, "want", c.Want, "why", c.Why)
	}
	if len(cs) > 0 && len(failed) == 0 {
		log.Info("host settings fit for anycast VIPs", "checked", len(cs))
	}
}

// snapshot returns the last checks.
func (h *hostChecks) snapshot() []HostCheck {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.last)
}

var hostSettingOKDesc = prometheus.NewDesc("seesaw_host_setting_ok",
	"1 while the host setting an anycast node needs has a fitting value (docs/anycast.md), else 0.", []string{"setting"}, nil)

// hostCollector exports the last host checks.
type hostCollector struct{ h *hostChecks }

func (c hostCollector) Describe(ch chan<- *prometheus.Desc) { ch <- hostSettingOKDesc }

func (c hostCollector) Collect(ch chan<- prometheus.Metric) {
	for _, hc := range c.h.snapshot() {
		ch <- prometheus.MustNewConstMetric(hostSettingOKDesc, prometheus.GaugeValue, b2f(hc.OK), hc.Setting)
	}
}
