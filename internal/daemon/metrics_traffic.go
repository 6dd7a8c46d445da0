package daemon

import (
	"bufio"
	"strconv"
	"strings"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// The traffic metrics are the kernel's counters of every IPVS service the
// config names (label service: the configured name; ipvs_service: the
// kernel service, "tcp/192.0.2.10:80") and of its destinations (label
// backend: "198.51.100.1:80"). Counters restart from 0 when the kernel
// service or destination is deleted and added again. At 10,000 services x
// 10 backends they are 770,000 series, so they are written as text
// straight from the dump (writeTraffic) rather than built as client_golang
// metrics, which costs over 100x more (docs/benchmarks.md).
type trafficFamily struct {
	name, help, typ string
	dest            bool                         // one series per destination, else per service
	dir             string                       // "in", "out" or "" (no direction label)
	svc             func(*kernel.Service) uint64 // per service
	d               func(*kernel.Destination) uint64
}

// trafficFamilies are the families in the order they are written.
var trafficFamilies = []trafficFamily{
	{name: "seesaw_ipvs_service_connections_total", help: "Connections scheduled by the IPVS service.", typ: "counter",
		svc: func(s *kernel.Service) uint64 { return s.Stats.Conns }},
	{name: "seesaw_ipvs_service_packets_total", help: "Packets through the IPVS service, by direction (in: from clients, out: replies through the balancer).", typ: "counter", dir: "in",
		svc: func(s *kernel.Service) uint64 { return s.Stats.InPackets }},
	{name: "seesaw_ipvs_service_packets_total", dir: "out", svc: func(s *kernel.Service) uint64 { return s.Stats.OutPackets }},
	{name: "seesaw_ipvs_service_bytes_total", help: "Bytes through the IPVS service, by direction.", typ: "counter", dir: "in",
		svc: func(s *kernel.Service) uint64 { return s.Stats.InBytes }},
	{name: "seesaw_ipvs_service_bytes_total", dir: "out", svc: func(s *kernel.Service) uint64 { return s.Stats.OutBytes }},
	{name: "seesaw_ipvs_service_active_connections", help: "Active connections of the IPVS service (sum of its destinations).", typ: "gauge",
		svc: func(s *kernel.Service) uint64 { return sumConns(s, func(c kernel.Conns) uint32 { return c.Active }) }},
	{name: "seesaw_ipvs_service_inactive_connections", help: "Inactive connections (closing, or UDP) of the IPVS service (sum of its destinations).", typ: "gauge",
		svc: func(s *kernel.Service) uint64 { return sumConns(s, func(c kernel.Conns) uint32 { return c.Inactive }) }},
	{name: "seesaw_ipvs_backend_connections_total", help: "Connections the IPVS service scheduled to the backend.", typ: "counter", dest: true,
		d: func(d *kernel.Destination) uint64 { return d.Stats.Conns }},
	{name: "seesaw_ipvs_backend_packets_total", help: "Packets to and from the backend, by direction.", typ: "counter", dest: true, dir: "in",
		d: func(d *kernel.Destination) uint64 { return d.Stats.InPackets }},
	{name: "seesaw_ipvs_backend_packets_total", dest: true, dir: "out", d: func(d *kernel.Destination) uint64 { return d.Stats.OutPackets }},
	{name: "seesaw_ipvs_backend_bytes_total", help: "Bytes to and from the backend, by direction.", typ: "counter", dest: true, dir: "in",
		d: func(d *kernel.Destination) uint64 { return d.Stats.InBytes }},
	{name: "seesaw_ipvs_backend_bytes_total", dest: true, dir: "out", d: func(d *kernel.Destination) uint64 { return d.Stats.OutBytes }},
	{name: "seesaw_ipvs_backend_active_connections", help: "Active connections to the backend.", typ: "gauge", dest: true,
		d: func(d *kernel.Destination) uint64 { return uint64(d.Conns.Active) }},
	{name: "seesaw_ipvs_backend_inactive_connections", help: "Inactive connections (closing, or UDP) to the backend.", typ: "gauge", dest: true,
		d: func(d *kernel.Destination) uint64 { return uint64(d.Conns.Inactive) }},
}

func sumConns(s *kernel.Service, f func(kernel.Conns) uint32) uint64 {
	var n uint64
	for i := range s.Destinations {
		n += uint64(f(s.Destinations[i].Conns))
	}
	return n
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

// trafficLabels are one named service's label texts, computed once per
// scrape: `ipvs_service="…",service="…"` and each destination's
// `backend="…"`.
type trafficLabels struct {
	svc      *kernel.Service
	labels   string
	backends []string
}

// writeTraffic writes the traffic families of the services in names, in
// the Prometheus text format (labels in name order, as client_golang
// writes them).
func writeTraffic(w *bufio.Writer, snap kernel.Snapshot, names map[kernel.ServiceKey]string) error {
	var svcs []trafficLabels
	for i := range snap.Services {
		s := &snap.Services[i]
		name, ok := names[s.Key]
		if !ok {
			continue
		}
		tl := trafficLabels{svc: s, labels: `ipvs_service="` + escapeLabel(s.Key.String()) + `",service="` + escapeLabel(name) + `"`,
			backends: make([]string, len(s.Destinations))}
		for j := range s.Destinations {
			tl.backends[j] = `backend="` + s.Destinations[j].Key.String() + `",`
		}
		svcs = append(svcs, tl)
	}
	buf := make([]byte, 0, 256)
	for _, f := range trafficFamilies {
		if f.help != "" {
			buf = append(buf[:0], "# HELP "...)
			buf = append(append(append(buf, f.name...), ' '), f.help...)
			buf = append(append(append(append(buf, "\n# TYPE "...), f.name...), ' '), f.typ...)
			if _, err := w.Write(append(buf, '\n')); err != nil {
				return err
			}
		}
		dir := ""
		if f.dir != "" {
			dir = `direction="` + f.dir + `",`
		}
		for _, s := range svcs {
			if !f.dest {
				if _, err := w.Write(seriesLine(buf[:0], f.name, "", dir, s.labels, f.svc(s.svc))); err != nil {
					return err
				}
				continue
			}
			for j := range s.svc.Destinations {
				if _, err := w.Write(seriesLine(buf[:0], f.name, s.backends[j], dir, s.labels, f.d(&s.svc.Destinations[j]))); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// seriesLine appends `name{backend,direction,rest} v\n` to buf.
func seriesLine(buf []byte, name, backend, dir, rest string, v uint64) []byte {
	buf = append(append(buf, name...), '{')
	buf = append(append(append(buf, backend...), dir...), rest...)
	buf = append(buf, "} "...)
	return append(strconv.AppendUint(buf, v, 10), '\n')
}

// writeHealth writes seesaw_backend_healthy: each configured backend's and
// fallback's verdict, keyed as the status report names it (ADDRESS, or
// ADDRESS:PORT when it has a port).
func writeHealth(w *bufio.Writer, cfg desired.Config, health reconcile.Health) error {
	if _, err := w.WriteString("# HELP seesaw_backend_healthy 1 while the configured backend is healthy (or has no checks), 0 while its checks say down.\n" +
		"# TYPE seesaw_backend_healthy gauge\n"); err != nil {
		return err
	}
	buf := make([]byte, 0, 128)
	for i := range cfg.Services {
		s := &cfg.Services[i]
		svc := `service="` + escapeLabel(s.Name) + `"`
		for j := range len(s.Backends) + len(s.Fallback) {
			b := fallbackOr(s, j)
			bk := reconcile.HealthKey(s, b)
			label := bk.Backend.String()
			if b.Port == 0 {
				label = b.Address.String()
			}
			h, known := health[bk]
			v := uint64(0)
			if h || !known {
				v = 1
			}
			if _, err := w.Write(seriesLine(buf[:0], "seesaw_backend_healthy", `backend="`+label+`",`, "", svc, v)); err != nil {
				return err
			}
		}
	}
	return nil
}

// fallbackOr is backend j of s, or, past the backends, fallback j-len(Backends).
func fallbackOr(s *desired.Service, j int) *desired.Backend {
	if j < len(s.Backends) {
		return &s.Backends[j]
	}
	return &s.Fallback[j-len(s.Backends)].Backend
}

// escapeLabel escapes a label value for the text format.
func escapeLabel(s string) string {
	if !strings.ContainsAny(s, "\\\"\n") {
		return s
	}
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
