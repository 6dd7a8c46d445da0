package reconcile

import (
	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// fallbackInUse reports whether a service's fallbacks carry its traffic:
// while none of its backends does, because it is down by its watermarks or
// no enabled backend is healthy.
func fallbackInUse(st ServiceStatus) bool {
	return !st.Up || st.Healthy == 0
}

// fallbackGates decides every fallback's gate and counts the fallbacks in
// use. An enabled, healthy fallback of a service in need is active at its
// weight; any other is kept at weight 0 (idle: keep) or left out of the
// target (idle: drain), where drain takes a live one to weight 0 until the
// service's drain_timeout or its last connection, and then deletes it.
func fallbackGates(s *desired.Service, health Health, inUse bool, gates []gate) ([]gate, int) {
	active := 0
	for i := range s.Fallback {
		f := &s.Fallback[i]
		var g gate
		switch {
		case !f.Enabled:
			g = gate{reason: ReasonDisabled}
		case !fallbackHealthy(s, f, health):
			g = gate{reason: ReasonUnhealthy}
		case inUse:
			g = gate{active: true, reason: ReasonFallback}
			active++
		default:
			g = gate{reason: ReasonFallbackIdle}
		}
		g.omit = !g.active && f.Idle != desired.IdleKeep
		gates = append(gates, g)
	}
	return gates, active
}

// fallbackHealthy reports a fallback's verdict. A fallback without checks
// is healthy; one with checks and no verdict yet is as its checks start.
func fallbackHealthy(s *desired.Service, f *desired.Fallback, health Health) bool {
	if len(f.Checks) == 0 {
		return true
	}
	if v, ok := health[HealthKey(s, &f.Backend)]; ok {
		return v
	}
	for i := range f.Checks {
		if !f.Checks[i].InitialUp {
			return false
		}
	}
	return true
}

// appendFallbacks appends the gated fallback destinations of IPVS service
// ts to pool (unsorted: targetService sorts), and the keys of those left
// out to ts.Idle.
func appendFallbacks(s *desired.Service, key kernel.ServiceKey, gates []gate, ts *TargetService, pool []TargetDestination) []TargetDestination {
	for i := range s.Fallback {
		f := &s.Fallback[i].Backend
		if gates[i].omit {
			ts.Idle = append(ts.Idle, kernel.NewDestinationKey(f.Address, destinationPort(f, key)))
			continue
		}
		dc := destinationConfig(s, f)
		if !gates[i].active {
			dc.Weight = 0
		}
		pool = append(pool, TargetDestination{Key: kernel.NewDestinationKey(f.Address, destinationPort(f, key)), Config: dc, Reason: gates[i].reason})
	}
	return pool
}
