package daemon

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	bgpPeerUpDesc = prometheus.NewDesc("seesaw_bgp_peer_up",
		"1 while the BGP session with the peer is established.", []string{"peer"}, nil)
	bgpAnnouncedDesc = prometheus.NewDesc("seesaw_bgp_announced",
		"1 while the VIP's host route is announced over BGP (route health injection).", []string{"prefix"}, nil)
	bgpTransitionsDesc = prometheus.NewDesc("seesaw_bgp_route_transitions_total",
		"Changes of the VIP's route between announced and withdrawn since start.", []string{"prefix"}, nil)
)

// bgpCollector reads the BGP speaker's state at scrape time.
type bgpCollector struct{ w *wiring }

func (c bgpCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- bgpPeerUpDesc
	ch <- bgpAnnouncedDesc
	ch <- bgpTransitionsDesc
}

func (c bgpCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	r := c.w.bgpReport(ctx)
	if r == nil {
		return
	}
	for _, p := range r.Peers {
		ch <- prometheus.MustNewConstMetric(bgpPeerUpDesc, prometheus.GaugeValue, b2f(p.Up), p.Address)
	}
	for _, rt := range r.Routes {
		ch <- prometheus.MustNewConstMetric(bgpAnnouncedDesc, prometheus.GaugeValue, b2f(rt.Announced), rt.Prefix)
		ch <- prometheus.MustNewConstMetric(bgpTransitionsDesc, prometheus.CounterValue, float64(rt.Transitions), rt.Prefix)
	}
}
