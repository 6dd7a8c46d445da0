package reconcile

import "github.com/seesaw-lb/seesaw/desired"

// gate is the verdict for one backend of a service.
type gate struct {
	active bool   // gets its configured weight
	remove bool   // deleted (on_unhealthy: remove)
	omit   bool   // left out of the target: a live one drains, then goes (an idle fallback)
	reason Reason // why
}

// gateService decides every backend's gate and the service's watermark
// state. A down service keeps its destinations at weight 0 (connections
// continue, new ones find no destination) rather than losing them, so that
// coming back up is one SET per destination.
func gateService(s *desired.Service, health Health, prev ServiceStates, gates []gate) ([]gate, ServiceStatus) {
	gates = append(gates, make([]gate, len(s.Backends))...)
	st := ServiceStatus{Name: s.Name}
	for i := range s.Backends {
		b := &s.Backends[i]
		switch {
		case !b.Enabled:
			gates[i] = gate{reason: ReasonDisabled}
		case healthy(s, b, health):
			st.Enabled++
			st.Healthy++
			gates[i] = gate{active: true, reason: ReasonHealthy}
		default:
			st.Enabled++
			gates[i] = gate{remove: removeUnhealthy(s), reason: ReasonUnhealthy}
		}
	}
	was, known := prev[s.Name]
	st.Up = watermarkUp(s.Watermarks, st.Healthy, st.Enabled, was, known)
	if !st.Up {
		for i := range gates {
			if gates[i].active {
				gates[i] = gate{reason: ReasonServiceDown}
			}
		}
	}
	return gates, st
}

// removeUnhealthy reports whether an unhealthy backend of s is deleted
// rather than drained. A scheduler whose table depends on the destination
// list (dh, sh, mh) always drains at weight 0: a deleted backend would come
// back at the head of the list, and the table would differ from that of
// nodes that never lost it; mh also keeps a weight-0 backend's slots.
func removeUnhealthy(s *desired.Service) bool {
	return s.OnUnhealthy == desired.Remove && !orderSensitive(s.Scheduler)
}

// healthy reports the backend's verdict, or its assumed state when unknown.
func healthy(s *desired.Service, b *desired.Backend, health Health) bool {
	if len(health) > 0 {
		if v, ok := health[BackendKey{Service: s.Name, Backend: backendAddrPort(b)}]; ok {
			return v
		}
	}
	for i := range s.Checks {
		if !s.Checks[i].InitialUp {
			return false
		}
	}
	return true
}

// watermarkUp applies the hysteresis: an up service goes down when its
// healthy share falls below Low; a down one comes back when the share
// reaches High. Without a previous state the service is up at or above Low.
// The share is healthy over enabled backends (disabled ones are maintenance,
// not failure); no enabled backend counts as share 0.
func watermarkUp(w desired.Watermarks, healthy, enabled int, was, known bool) bool {
	if w.Low == 0 && w.High == 0 {
		return true
	}
	share := 0.0
	if enabled > 0 {
		share = float64(healthy) / float64(enabled)
	}
	if !known || was {
		return share >= w.Low
	}
	return share >= w.High
}
