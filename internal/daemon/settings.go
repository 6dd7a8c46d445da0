package daemon

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/checkpath"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// nodeSettings keeps node.ipvs: the timeouts through the loop's kernel
// client (when it can set them) and the sysctls through sys (nil: left
// alone).
func nodeSettings(k kernel.IPVS, sys checkpath.Sysctls) *reconcile.NodeSettings {
	t, _ := k.(reconcile.KernelTimeouts)
	if t == nil && sys == nil {
		return nil
	}
	return reconcile.NewNodeSettings(t, sys)
}

// Setting-op names in the status's round counts and the metric's label.
const (
	settingTimeout = "set_ipvs_timeout"
	settingSysctl  = "set_sysctl"
)

// addSettingCounts adds a round's node-setting ops to its op counts by
// kind (status's last_round.applied and .failed).
func addSettingCounts(m map[string]int, c reconcile.SettingCounts) {
	if c.Timeouts > 0 {
		m[settingTimeout] += c.Timeouts
	}
	if c.Sysctls > 0 {
		m[settingSysctl] += c.Sysctls
	}
}

var descSettingOps = prometheus.NewDesc("seesaw_node_setting_operations_total",
	"Node settings written (node.ipvs: IPVS timeouts, net.ipv4.vs sysctls), by setting and result (applied or failed).",
	[]string{"setting", "result"}, nil)

// settingsCollector reads the loop's setting-op totals at scrape time.
type settingsCollector struct{ w *wiring }

// Describe sends the descriptor.
func (settingsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- descSettingOps }

// Collect sends the totals since start.
func (c settingsCollector) Collect(ch chan<- prometheus.Metric) {
	ls := c.w.loop.Status()
	for _, v := range []struct {
		setting, result string
		n               int
	}{
		{settingTimeout, "applied", ls.SettingsAppliedTotal.Timeouts},
		{settingTimeout, "failed", ls.SettingsFailedTotal.Timeouts},
		{settingSysctl, "applied", ls.SettingsAppliedTotal.Sysctls},
		{settingSysctl, "failed", ls.SettingsFailedTotal.Sysctls},
	} {
		ch <- prometheus.MustNewConstMetric(descSettingOps, prometheus.CounterValue, float64(v.n), v.setting, v.result)
	}
}
