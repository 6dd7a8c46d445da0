package daemon

import (
	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// TrafficReport is a backend's traffic in the kernel, summed over the
// IPVS services of its configured service (one per port): connections now,
// connections since the destination was added, and the kernel's rate
// estimates (averaged over about 2 seconds).
type TrafficReport struct {
	Active   uint64 `json:"active_conns"`
	Inactive uint64 `json:"inactive_conns"`
	Conns    uint64 `json:"conns_total"`
	CPS      uint64 `json:"conns_per_second"`
	InBPS    uint64 `json:"in_bytes_per_second"`
	OutBPS   uint64 `json:"out_bytes_per_second"`
}

// addTraffic fills the traffic of every backend of services (as
// serviceReports built them from cfg) from snap; names maps the kernel
// services to configured names (serviceNames).
func addTraffic(services []ServiceReport, cfg desired.Config, snap kernel.Snapshot, names map[kernel.ServiceKey]string) {
	byName := make(map[string][]*kernel.Service, len(cfg.Services))
	for i := range snap.Services {
		if n, ok := names[snap.Services[i].Key]; ok {
			byName[n] = append(byName[n], &snap.Services[i])
		}
	}
	for i := range services {
		if i >= len(cfg.Services) {
			break
		}
		s := &cfg.Services[i]
		for j := range services[i].Backends {
			switch f := j - len(s.Backends); {
			case j < len(s.Backends):
				services[i].Backends[j].Traffic = backendTraffic(byName[s.Name], s.Backends[j])
			case f < len(s.Fallback): // the fallbacks follow the backends
				services[i].Backends[j].Traffic = backendTraffic(byName[s.Name], s.Fallback[f].Backend)
			}
		}
	}
}

// backendTraffic sums b's destinations in svcs.
func backendTraffic(svcs []*kernel.Service, b desired.Backend) *TrafficReport {
	var t TrafficReport
	found := false
	for _, s := range svcs {
		for _, d := range s.Destinations {
			if d.Key.Addr != b.Address.Unmap() || (b.Port != 0 && d.Key.Port != b.Port) {
				continue
			}
			found = true
			t.Active += uint64(d.Conns.Active)
			t.Inactive += uint64(d.Conns.Inactive)
			t.Conns += d.Stats.Conns
			t.CPS += d.Stats.CPS
			t.InBPS += d.Stats.InBPS
			t.OutBPS += d.Stats.OutBPS
		}
	}
	if !found {
		return nil
	}
	return &t
}
