package reconcile

import (
	"github.com/seesaw-lb/seesaw/kernel"
)

// diff returns the minimal plan that turns live into target, touching only
// services inside scope: changed settings are one update, an identity
// change (address, port, protocol, fwmark, family) is a delete and an add,
// and live services or destinations inside the scope that the target does
// not name are deleted. Target services outside the scope are ignored. The
// result is deterministic: steps are grouped by kind in the order add
// services, add/update destinations, delete destinations, delete services,
// and ordered by key within a group. The destinations of each live service
// must be sorted by key, as kernel.Snapshot returns them. For a scheduler
// whose table depends on the order of the destination list (dh, sh, mh),
// the destinations out of their canonical order are deleted and re-added
// within the add/update group (destorder.go).
func diff(live kernel.Snapshot, t Target, scope tableScope) Plan {
	var addSvc, setDst, delDst, delSvc []Step
	p := Plan{}
	join(sortedLive(live, false), t.Services, func(ls *kernel.Service, ts *TargetService) {
		key := keyOf(ls, ts)
		if !scope.Owns(key) {
			return
		}
		if ls != nil {
			p.Owned++
		}
		if isCheckService(ts, key, scope) {
			n0, n1, n2, n3 := len(addSvc), len(setDst), len(delDst), len(delSvc)
			defer func() {
				labelCheck(addSvc[n0:], setDst[n1:], delDst[n2:], delSvc[n3:])
			}()
		}
		switch {
		case ts == nil:
			delSvc = append(delSvc, Step{Op: kernel.Op{Kind: kernel.DeleteService, Service: key}, OldService: ls.Config})
		case ls == nil:
			addSvc = append(addSvc, Step{Op: kernel.Op{Kind: kernel.AddService, Service: key, ServiceConfig: ts.Config}})
			setDst = addDestinations(setDst, ts, nil)
		default:
			if !serviceConfigEqual(key.Family, ls.Config, ts.Config) {
				addSvc = append(addSvc, Step{Op: kernel.Op{Kind: kernel.UpdateService, Service: key, ServiceConfig: ts.Config}, OldService: ls.Config})
			}
			if f, ok := orderOf(ls, ts); ok {
				setDst = reorderDestinations(setDst, ts, ls.Destinations, f)
				delDst = deleteDestinations(delDst, ts, ls.Destinations)
				return
			}
			if sameKeys(ls.Destinations, ts.Destinations) {
				setDst = updateDestinations(setDst, ts, ls.Destinations)
				return
			}
			setDst = addDestinations(setDst, ts, ls.Destinations)
			delDst = deleteDestinations(delDst, ts, ls.Destinations)
		}
	})
	p.Steps = concat(addSvc, setDst, delDst, delSvc)
	return p
}

// isCheckService reports whether a step on key belongs to a check service:
// the target says so, or a live fwmark service lies in the check range.
func isCheckService(ts *TargetService, key kernel.ServiceKey, scope tableScope) bool {
	if ts != nil {
		return ts.Role == RoleCheck
	}
	return key.IsFWMark() && scope.Checks.Contains(key.FWMark)
}

// labelCheck marks steps as steps of a check service.
func labelCheck(groups ...[]Step) {
	for _, g := range groups {
		for i := range g {
			g[i].Check = true
		}
	}
}

func keyOf(ls *kernel.Service, ts *TargetService) kernel.ServiceKey {
	if ts != nil {
		return ts.Key
	}
	return ls.Key
}

// addDestinations appends the adds and updates that bring live (sorted by
// key; nil for a new service) to the target service's destinations.
func addDestinations(steps []Step, ts *TargetService, live []kernel.Destination) []Step {
	j := 0
	for _, td := range ts.Destinations {
		for j < len(live) && kernel.CompareDestinationKeys(live[j].Key, td.Key) < 0 {
			j++
		}
		op := kernel.Op{Service: ts.Key, Destination: td.Key, DestinationConfig: td.Config}
		if j < len(live) && live[j].Key == td.Key {
			if destinationConfigEqual(td.Key, live[j].Config, td.Config) {
				continue
			}
			op.Kind = kernel.UpdateDestination
			steps = append(steps, Step{Op: op, OldDestination: live[j].Config, Reason: td.Reason})
			continue
		}
		op.Kind = kernel.AddDestination
		steps = append(steps, Step{Op: op, Reason: td.Reason})
	}
	return steps
}

// sameKeys reports whether live and target name the same destinations in
// the same order.
func sameKeys(live []kernel.Destination, target []TargetDestination) bool {
	if len(live) != len(target) {
		return false
	}
	for i := range live {
		if live[i].Key != target[i].Key {
			return false
		}
	}
	return true
}

// updateDestinations appends the updates for destinations whose keys match
// one to one (sameKeys).
func updateDestinations(steps []Step, ts *TargetService, live []kernel.Destination) []Step {
	for i := range live {
		td := &ts.Destinations[i]
		if destinationConfigEqual(td.Key, live[i].Config, td.Config) {
			continue
		}
		steps = append(steps, Step{Op: kernel.Op{Kind: kernel.UpdateDestination, Service: ts.Key, Destination: td.Key,
			DestinationConfig: td.Config}, OldDestination: live[i].Config, Reason: td.Reason})
	}
	return steps
}

// deleteDestinations appends a delete for every live destination the target
// service does not name (both lists are sorted by key).
func deleteDestinations(steps []Step, ts *TargetService, live []kernel.Destination) []Step {
	j := 0
	for _, ld := range live {
		for j < len(ts.Destinations) && kernel.CompareDestinationKeys(ts.Destinations[j].Key, ld.Key) < 0 {
			j++
		}
		if j < len(ts.Destinations) && ts.Destinations[j].Key == ld.Key {
			continue
		}
		reason := ReasonNotInConfig
		if containsKey(ts.Removed, ld.Key) {
			reason = ReasonUnhealthy
		} else if containsKey(ts.Idle, ld.Key) {
			reason = ReasonFallbackIdle
		}
		steps = append(steps, Step{
			Op:             kernel.Op{Kind: kernel.DeleteDestination, Service: ts.Key, Destination: ld.Key},
			OldDestination: ld.Config, Reason: reason,
		})
	}
	return steps
}

func concat(groups ...[]Step) []Step {
	n := 0
	for _, g := range groups {
		n += len(g)
	}
	if n == 0 {
		return nil
	}
	out := make([]Step, 0, n)
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}
