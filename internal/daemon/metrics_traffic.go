package daemon

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// The traffic metrics: the kernel's counters of every IPVS service the
// config names (label service: the configured name; ipvs_service: the
// kernel service, "tcp/192.0.2.10:80") and of its destinations (label
// backend: "198.51.100.1:80"). Counters restart from 0 when the kernel
// service or destination is deleted and added again.
var (
	descSvcConns     = prometheus.NewDesc("seesaw_ipvs_service_connections_total", "Connections scheduled by the IPVS service.", []string{"service", "ipvs_service"}, nil)
	descSvcPackets   = prometheus.NewDesc("seesaw_ipvs_service_packets_total", "Packets through the IPVS service, by direction (in: from clients, out: replies through the balancer).", []string{"service", "ipvs_service", "direction"}, nil)
	descSvcBytes     = prometheus.NewDesc("seesaw_ipvs_service_bytes_total", "Bytes through the IPVS service, by direction.", []string{"service", "ipvs_service", "direction"}, nil)
	descSvcActive    = prometheus.NewDesc("seesaw_ipvs_service_active_connections", "Active connections of the IPVS service (sum of its destinations).", []string{"service", "ipvs_service"}, nil)
	descSvcInactive  = prometheus.NewDesc("seesaw_ipvs_service_inactive_connections", "Inactive connections (closing, or UDP) of the IPVS service (sum of its destinations).", []string{"service", "ipvs_service"}, nil)
	descDestConns    = prometheus.NewDesc("seesaw_ipvs_backend_connections_total", "Connections the IPVS service scheduled to the backend.", []string{"service", "ipvs_service", "backend"}, nil)
	descDestPackets  = prometheus.NewDesc("seesaw_ipvs_backend_packets_total", "Packets to and from the backend, by direction.", []string{"service", "ipvs_service", "backend", "direction"}, nil)
	descDestBytes    = prometheus.NewDesc("seesaw_ipvs_backend_bytes_total", "Bytes to and from the backend, by direction.", []string{"service", "ipvs_service", "backend", "direction"}, nil)
	descDestActive   = prometheus.NewDesc("seesaw_ipvs_backend_active_connections", "Active connections to the backend.", []string{"service", "ipvs_service", "backend"}, nil)
	descDestInactive = prometheus.NewDesc("seesaw_ipvs_backend_inactive_connections", "Inactive connections (closing, or UDP) to the backend.", []string{"service", "ipvs_service", "backend"}, nil)
	descBackendUp    = prometheus.NewDesc("seesaw_backend_healthy", "1 while the configured backend is healthy (or has no checks), 0 while its checks say down.", []string{"service", "backend"}, nil)
)

// trafficCollector exports the traffic metrics from one read of the
// kernel per scrape (traffic.read), and the per-backend health gauge.
type trafficCollector struct {
	w      *wiring
	errors prometheus.Counter
}

// Describe sends every descriptor.
func (c *trafficCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descSvcConns, descSvcPackets, descSvcBytes, descSvcActive, descSvcInactive,
		descDestConns, descDestPackets, descDestBytes, descDestActive, descDestInactive, descBackendUp} {
		ch <- d
	}
	c.errors.Describe(ch)
}

// Collect reads the kernel once and reports the services the last round
// planned for, then the health of every configured backend.
func (c *trafficCollector) Collect(ch chan<- prometheus.Metric) {
	ls := c.w.loop.Status()
	c.w.mu.Lock()
	cfg, health := c.w.cfg, c.w.healthLocked(c.w.plan)
	c.w.mu.Unlock()
	collectHealth(ch, cfg, health)
	snap, err := c.w.traffic.read(context.Background())
	if err != nil {
		c.errors.Inc()
		c.w.log.Warn("metrics: no traffic counters in this scrape", "error", err.Error())
	} else {
		collectTraffic(ch, snap, serviceNames(ls.Target))
	}
	c.errors.Collect(ch)
}

// serviceNames maps each IPVS service of the target to its configured
// service's name (check services are left out).
func serviceNames(t reconcile.Target) map[kernel.ServiceKey]string {
	names := make(map[kernel.ServiceKey]string, len(t.Services))
	for _, s := range t.Services {
		if s.Role == reconcile.RoleService {
			names[s.Key] = s.Name
		}
	}
	return names
}

// collectTraffic reports the counters of the services in names.
func collectTraffic(ch chan<- prometheus.Metric, snap kernel.Snapshot, names map[kernel.ServiceKey]string) {
	for i := range snap.Services {
		s := &snap.Services[i]
		name, ok := names[s.Key]
		if !ok {
			continue
		}
		key := s.Key.String()
		var active, inactive uint64
		for j := range s.Destinations {
			d := &s.Destinations[j]
			b := d.Key.String()
			active += uint64(d.Conns.Active)
			inactive += uint64(d.Conns.Inactive)
			ch <- counter(descDestConns, d.Stats.Conns, name, key, b)
			ch <- counter(descDestPackets, d.Stats.InPackets, name, key, b, "in")
			ch <- counter(descDestPackets, d.Stats.OutPackets, name, key, b, "out")
			ch <- counter(descDestBytes, d.Stats.InBytes, name, key, b, "in")
			ch <- counter(descDestBytes, d.Stats.OutBytes, name, key, b, "out")
			ch <- gauge(descDestActive, uint64(d.Conns.Active), name, key, b)
			ch <- gauge(descDestInactive, uint64(d.Conns.Inactive), name, key, b)
		}
		ch <- counter(descSvcConns, s.Stats.Conns, name, key)
		ch <- counter(descSvcPackets, s.Stats.InPackets, name, key, "in")
		ch <- counter(descSvcPackets, s.Stats.OutPackets, name, key, "out")
		ch <- counter(descSvcBytes, s.Stats.InBytes, name, key, "in")
		ch <- counter(descSvcBytes, s.Stats.OutBytes, name, key, "out")
		ch <- gauge(descSvcActive, active, name, key)
		ch <- gauge(descSvcInactive, inactive, name, key)
	}
}

// collectHealth reports each configured backend's verdict, keyed as the
// status report names it (ADDRESS, or ADDRESS:PORT when it has a port).
func collectHealth(ch chan<- prometheus.Metric, cfg desired.Config, health reconcile.Health) {
	for i := range cfg.Services {
		s := &cfg.Services[i]
		for j := range s.Backends {
			b := &s.Backends[j]
			bk := reconcile.HealthKey(s, b)
			label := bk.Backend.String()
			if b.Port == 0 {
				label = b.Address.String()
			}
			h, known := health[bk]
			ch <- gauge(descBackendUp, uint64(b2u(h || !known)), s.Name, label)
		}
	}
}

func counter(d *prometheus.Desc, v uint64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
}

func gauge(d *prometheus.Desc, v uint64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), labels...)
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
