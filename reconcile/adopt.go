package reconcile

import (
	"slices"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// AdoptedHealth reads back from a live table, as a restart finds it, the
// health verdicts the previous process acted on: false for a backend the
// config gives traffic (enabled, weight > 0, checked) that the kernel holds
// at weight 0 in every live service of its configured service, or that an
// on_unhealthy: remove service no longer holds; true for a backend with
// traffic. A backend the kernel says nothing about is absent: its service
// has no checks or no live IPVS service (a fresh boot: an empty table), or
// it is disabled (a drain by hand) or weighted 0 in the config. A service
// down by its watermarks holds every backend at weight 0: they read as
// unhealthy, so it stays down until enough checks rise again. A checked
// fallback with traffic reads as healthy, so a restart while the service
// is down keeps it; one at weight 0 is idle, not failed, and reads as
// nothing.
func AdoptedHealth(cfg desired.Config, live kernel.Snapshot) Health {
	byKey := make(map[kernel.ServiceKey]*kernel.Service, len(live.Services))
	for i := range live.Services {
		byKey[live.Services[i].Key] = &live.Services[i]
	}
	h := Health{}
	var keys []kernel.ServiceKey
	for i := range cfg.Services {
		s := &cfg.Services[i]
		keys = serviceKeys(s, keys[:0])
		adoptFallbacks(h, s, keys, byKey)
		if len(s.Checks) == 0 {
			continue
		}
		for j := range s.Backends {
			b := &s.Backends[j]
			if !b.Enabled || b.Weight <= 0 {
				continue
			}
			if v, ok := adoptedVerdict(s, b, keys, byKey); ok {
				h[HealthKey(s, b)] = v
			}
		}
	}
	return h
}

// adoptedVerdict is one backend's verdict read from the live services of
// its configured service (keys); ok is false when the kernel says nothing.
func adoptedVerdict(s *desired.Service, b *desired.Backend, keys []kernel.ServiceKey, live map[kernel.ServiceKey]*kernel.Service) (healthy, ok bool) {
	services, zero := 0, 0
	for _, key := range keys {
		ls := live[key]
		if ls == nil {
			continue
		}
		services++
		dk := kernel.NewDestinationKey(b.Address, destinationPort(b, key))
		i, found := slices.BinarySearchFunc(ls.Destinations, dk, func(d kernel.Destination, k kernel.DestinationKey) int {
			return kernel.CompareDestinationKeys(d.Key, k)
		})
		switch {
		case found && ls.Destinations[i].Config.Weight > 0:
			return true, true
		case found:
			zero++
		}
	}
	switch {
	case zero > 0:
		return false, true
	case services > 0 && removeUnhealthy(s):
		return false, true
	}
	return false, false
}

// adoptFallbacks records as healthy the checked fallbacks of s that have
// traffic in a live service of s (keys).
func adoptFallbacks(h Health, s *desired.Service, keys []kernel.ServiceKey, live map[kernel.ServiceKey]*kernel.Service) {
	for j := range s.Fallback {
		f := &s.Fallback[j]
		if len(f.Checks) == 0 || !f.Enabled || f.Weight <= 0 {
			continue
		}
		if v, ok := adoptedVerdict(s, &f.Backend, keys, live); ok && v {
			h[HealthKey(s, &f.Backend)] = true
		}
	}
}
