package reconcile

import (
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// Round is what an incremental planning round starts from: the inputs and
// outcome of the previous round, whose plan was applied in full, and the
// live table patched with it (the caller's cache).
type Round struct {
	Inputs  Inputs
	Outcome Outcome
}

// ComputeIncremental gives the same Outcome as Compute(live, in) when live
// is prev's live table with prev's whole plan applied, at the cost of the
// services whose config or health changed rather than of the whole
// table. It reports false (and does nothing) when the change is not one
// it can plan for a subset: a different node section, mastership or
// mass-delete override, drains in progress, or dsr/tunnel check services.
// The caller then runs Compute, as it must after any re-read of the kernel.
func ComputeIncremental(live kernel.Snapshot, in Inputs, prev Round) (Outcome, bool) {
	return computeIncremental(live, false, in, prev)
}

// computeIncremental is ComputeIncremental; liveSorted says the caller
// knows live's services are sorted by key (the loop's patched table).
func computeIncremental(live kernel.Snapshot, liveSorted bool, in Inputs, prev Round) (Outcome, bool) {
	dirty, ok := changedServices(prev.Inputs, in, prev.Outcome.namesSorted)
	if !ok || !incrementalOK(prev, in) {
		return Outcome{}, false
	}
	sub := in.Config
	sub.Services = servicesNamed(in.Config.Services, dirty)
	if hasPathChecks(sub) {
		return Outcome{}, false
	}
	t := effectiveOf(sub, in.Health, in.mastership(), in.States)
	liveSub := liveOfServices(live, liveSorted, prev.Inputs.Config, t, dirty)
	t, draining := drain(liveSub, t, in.Draining, configDrainTimeouts(in.Config), in.Now)
	scope := scopeOf(in.Config)
	p := diff(liveSub, t, scope)
	p.Owned = ownedAfter(prev.Outcome.Plan, scope)
	p = guard(p, in.Config.Node.MassDelete, in.AllowMassDelete)
	dirtyTarget := t
	if merged, ok := mergeTargetInPlace(prev.Inputs.Config, prev.Outcome.Target, t, dirty); ok {
		t = merged
	} else {
		t = mergeTarget(prev.Outcome.Target, t, dirty)
	}
	if addressesKept(prev.Inputs.Config, in.Config, dirty) {
		t.Addresses = prev.Outcome.Target.Addresses
	} else {
		t.Addresses = heldAddresses(in.Config, in.mastership())
	}
	return Outcome{Target: t, Plan: p, States: statesOf(t, dirtyTarget, prev.Outcome.States), Draining: draining, namesSorted: true}, true
}

// incrementalOK reports whether everything but the services' own config and
// health is as in the previous round.
func incrementalOK(prev Round, in Inputs) bool {
	return in.mastership().equal(prev.Inputs.mastership()) && in.AllowMassDelete == prev.Inputs.AllowMassDelete &&
		len(in.Draining) == 0 && len(prev.Outcome.Draining) == 0 && len(prev.Outcome.Target.CheckMarks) == 0 &&
		(sameMap(in.States, prev.Outcome.States) || maps.Equal(in.States, prev.Outcome.States)) &&
		reflect.DeepEqual(in.Config.Node, prev.Inputs.Config.Node)
}

// changedServices names the services whose config or health differ between
// two rounds (added and removed ones included). It reports false when the
// services are not sorted by unique name, as desired.Build returns them;
// aSorted says a's are known to be, and then b's are when they have the
// same names in the same order (compared without looking at their bytes
// where the two configs share them).
func changedServices(a, b Inputs, aSorted bool) (map[string]bool, bool) {
	x, y := a.Config.Services, b.Config.Services
	if !aSorted && !sortedByName(x) {
		return nil, false
	}
	if !sameNames(x, y) && !sortedByName(y) {
		return nil, false
	}
	dirty := map[string]bool{}
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case j == len(y) || (i < len(x) && x[i].Name < y[j].Name):
			dirty[x[i].Name] = true
			i++
		case i == len(x) || y[j].Name < x[i].Name:
			dirty[y[j].Name] = true
			j++
		default:
			if !serviceEqual(&x[i], &y[j]) {
				dirty[y[j].Name] = true
			}
			i++
			j++
		}
	}
	healthChanges(a.Health, b.Health, dirty)
	return dirty, true
}

// healthChanges marks the services with a verdict that differs between a and b.
func healthChanges(a, b Health, dirty map[string]bool) {
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			dirty[k.Service] = true
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			dirty[k.Service] = true
		}
	}
}

// sameNames reports whether x and y name the same services in the same order.
func sameNames(x, y []desired.Service) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i].Name != y[i].Name {
			return false
		}
	}
	return true
}

func sortedByName(s []desired.Service) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1].Name >= s[i].Name {
			return false
		}
	}
	return true
}

// hasPathChecks reports whether a service has a dsr or tunnel check (whose
// check services Compute allocates over the whole config).
func hasPathChecks(cfg desired.Config) bool {
	for i := range cfg.Services {
		for _, c := range cfg.Services[i].Checks {
			if c.Mode == desired.ModeDSR || c.Mode == desired.ModeTunnel {
				return true
			}
		}
	}
	return false
}

// liveOfServices returns the live services (sorted) of the dirty services:
// the keys they had in the previous round (those of their services in
// prevCfg, the previous round's config) and the keys they have now. On a
// sorted table each key is a binary search, so the cost is the dirty
// services' rather than the table's.
func liveOfServices(live kernel.Snapshot, liveSorted bool, prevCfg desired.Config, now Target, dirty map[string]bool) kernel.Snapshot {
	keys := map[kernel.ServiceKey]bool{}
	var ks []kernel.ServiceKey
	for name := range dirty {
		if s := serviceNamed(prevCfg.Services, name); s != nil {
			ks = serviceKeys(s, ks[:0])
			for _, k := range ks {
				keys[k] = true
			}
		}
	}
	for i := range now.Services {
		keys[now.Services[i].Key] = true
	}
	all := live.Services
	if !liveSorted {
		all = sortedLive(live, false)
	}
	var out kernel.Snapshot
	for k := range keys {
		i, ok := slices.BinarySearchFunc(all, k, func(s kernel.Service, k kernel.ServiceKey) int {
			return kernel.CompareServiceKeys(s.Key, k)
		})
		if ok {
			out.Services = append(out.Services, all[i])
		}
	}
	return kernel.Snapshot{Services: sortedLive(out, true)}
}

// ownedAfter is the number of live services inside the scope once the
// previous round's plan p was applied in full: the count diff took before
// it, with the plan's owned service additions and deletions.
func ownedAfter(p Plan, scope tableScope) int {
	n := p.Owned
	for _, s := range p.Steps {
		switch {
		case s.Op.Kind == kernel.AddService && scope.Owns(s.Op.Service):
			n++
		case s.Op.Kind == kernel.DeleteService && scope.Owns(s.Op.Service):
			n--
		}
	}
	return n
}

// mergeTarget replaces the dirty services of prev with those of sub; both
// lists are sorted (services by key, status by name), so it is one merge.
func mergeTarget(prev, sub Target, dirty map[string]bool) Target {
	return Target{
		Services: mergeSorted(prev.Services, sub.Services, func(s TargetService) bool { return dirty[s.Name] },
			func(a, b TargetService) int { return kernel.CompareServiceKeys(a.Key, b.Key) }),
		Status: mergeSorted(prev.Status, sub.Status, func(s ServiceStatus) bool { return dirty[s.Name] },
			func(a, b ServiceStatus) int { return strings.Compare(a.Name, b.Name) }),
	}
}

// mergeSorted merges the elements of a that drop rejects with b, both sorted by cmp.
func mergeSorted[T any](a, b []T, drop func(T) bool, cmp func(T, T) int) []T {
	out := make([]T, 0, len(a)+len(b))
	j := 0
	for _, x := range a {
		if drop(x) {
			continue
		}
		for j < len(b) && cmp(b[j], x) < 0 {
			out = append(out, b[j])
			j++
		}
		out = append(out, x)
	}
	return append(out, b[j:]...)
}
