package daemon

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seesaw-lb/seesaw/vrrp"
)

// vrrpOnlyCollector collects only the virtual router's series.
type vrrpOnlyCollector struct{ c *collector }

func (v vrrpOnlyCollector) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(v, ch) }
func (v vrrpOnlyCollector) Collect(ch chan<- prometheus.Metric) { v.c.collectVRRP(ch) }

// TestVRRPTimingMetrics: the advert timing path and the timing thread's
// late adverts are exported beside the router's state.
func TestVRRPTimingMetrics(t *testing.T) {
	cfg := vrrp.Config{Interface: "mem0", VRID: 60, Priority: 100, AdvertInterval: 100 * time.Millisecond,
		Preempt: true, VIPs: []netip.Addr{netip.MustParseAddr("192.0.2.10")}}
	node, err := vrrp.NewNode(cfg, (&memSegment{}).attach("203.0.113.1"), vrrp.SystemClock{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(vrrpOnlyCollector{&collector{w: &wiring{instances: map[string]*instanceView{"default": {name: "default", node: node}}}}})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			got[mf.GetName()+"{"+strings.Join(labels, ",")+"}"] = fmt.Sprint(v)
		}
	}
	path := node.Stats().AdvertTiming
	if path == "" {
		t.Fatal("the node names no advert timing path")
	}
	for k, v := range map[string]string{
		"seesaw_vrrp_advert_timing{instance=default,path=" + path + "}": "1",
		"seesaw_vrrp_late_adverts_total{instance=default}":              "0",
		"seesaw_vrrp_max_advert_lateness_seconds{instance=default}":     "0",
		"seesaw_vrrp_lower_priority_adverts_total{instance=default}":    "0",
		"seesaw_vrrp_state{instance=default,state=initialize}":          "1",
	} {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}
