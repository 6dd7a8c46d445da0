package reconcile

import (
	"net/netip"
	"slices"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// effective computes the target state from the desired config, the latest
// health verdicts, mastership and the previous watermark states. It is a
// pure function: the same inputs always give the same Target. Backends that
// left the config are not known here; Compute drains them from the live table.
func effective(cfg desired.Config, health Health, master bool, prev ServiceStates) Target {
	t := Target{Status: make([]ServiceStatus, 0, len(cfg.Services))}
	nsvc, ndst := 0, 0
	for i := range cfg.Services {
		n := max(len(cfg.Services[i].Ports), 1)
		nsvc += n
		ndst += n * len(cfg.Services[i].Backends)
	}
	t.Services = make([]TargetService, 0, nsvc)
	// One backing array for every destination: a 10,000-service round
	// allocates once, not per service.
	dests := make([]TargetDestination, 0, ndst)
	var gates []gate
	var keys []kernel.ServiceKey
	for i := range cfg.Services {
		s := &cfg.Services[i]
		var st ServiceStatus
		gates, st = gateService(s, health, prev, gates[:0])
		t.Status = append(t.Status, st)
		keys = serviceKeys(s, keys[:0])
		for _, key := range keys {
			var ts TargetService
			ts, dests = targetService(s, key, gates, dests)
			t.Services = append(t.Services, ts)
		}
	}
	slices.SortFunc(t.Services, func(a, b TargetService) int { return kernel.CompareServiceKeys(a.Key, b.Key) })
	t.Addresses = addresses(cfg, master)
	return t
}

// serviceKeys returns the IPVS services of a configured service: one per
// port of a VIP service, or the one fwmark service.
func serviceKeys(s *desired.Service, keys []kernel.ServiceKey) []kernel.ServiceKey {
	if s.Fwmark != 0 {
		f := kernel.IPv4
		if s.IPv6 {
			f = kernel.IPv6
		}
		return append(keys, kernel.NewFWMarkKey(f, s.Fwmark))
	}
	for _, p := range s.Ports {
		keys = append(keys, kernel.NewServiceKey(protocol(p.Proto), s.VIP, p.Port))
	}
	return keys
}

func protocol(p desired.Protocol) kernel.Protocol {
	switch p {
	case desired.UDP:
		return kernel.UDP
	case desired.SCTP:
		return kernel.SCTP
	}
	return kernel.TCP
}

// targetService builds one IPVS service with its gated destinations, taking
// their storage from the end of pool and returning the extended pool.
func targetService(s *desired.Service, key kernel.ServiceKey, gates []gate, pool []TargetDestination) (TargetService, []TargetDestination) {
	ts := TargetService{Key: key, Config: serviceConfig(s, key.Family), Name: s.Name, Role: RoleService}
	start := len(pool)
	for i := range s.Backends {
		b := &s.Backends[i]
		dk := kernel.NewDestinationKey(b.Address, destinationPort(b, key))
		if gates[i].remove {
			ts.Removed = append(ts.Removed, dk)
			continue
		}
		dc := destinationConfig(s, b)
		if !gates[i].active {
			dc.Weight = 0
		}
		pool = append(pool, TargetDestination{Key: dk, Config: dc, Reason: gates[i].reason})
	}
	ts.Destinations = pool[start:len(pool):len(pool)] // full slice: appends never reach a neighbour
	cmpDest := func(a, b TargetDestination) int { return kernel.CompareDestinationKeys(a.Key, b.Key) }
	if !slices.IsSortedFunc(ts.Destinations, cmpDest) { // backends come sorted; ports can reorder them
		slices.SortFunc(ts.Destinations, cmpDest)
	}
	return ts, pool
}

// destinationPort is the backend's port, else the service port (0 for
// fwmark services, which match every port).
func destinationPort(b *desired.Backend, key kernel.ServiceKey) uint16 {
	if b.Port != 0 {
		return b.Port
	}
	return key.Port
}

// addresses lists the VIPs to hold, one per (interface, VIP), sorted: all
// of them while master, else only the anycast VIPs (anycast.go).
func addresses(cfg desired.Config, master bool) []Address {
	var out []Address
	for i := range cfg.Services {
		s := &cfg.Services[i]
		if !s.VIP.IsValid() || !master && !cfg.Node.AnycastVIP(s.VIP) {
			continue
		}
		ifname := s.Interface
		if ifname == "" && len(cfg.Node.Interfaces) > 0 {
			ifname = cfg.Node.Interfaces[0]
		}
		vip := s.VIP.Unmap()
		out = append(out, Address{Interface: ifname, Prefix: netip.PrefixFrom(vip, vip.BitLen())})
	}
	slices.SortFunc(out, compareAddresses)
	return slices.Compact(out)
}

func compareAddresses(a, b Address) int {
	if a.Interface != b.Interface {
		if a.Interface < b.Interface {
			return -1
		}
		return 1
	}
	return a.Prefix.Addr().Compare(b.Prefix.Addr())
}
