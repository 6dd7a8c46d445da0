package reconcile

import (
	"slices"
	"sort"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// drainTimeouts gives the drain timeout of each configured service by name.
type drainTimeouts func(service string) time.Duration

// drain keeps destinations that are live in a target service but no longer
// named by it at weight 0, so established connections continue, until
// their deadline passes or the live kernel shows no connections left; then
// they are left out of the target and diff deletes them. It returns the
// target with the draining destinations added and the new drain state.
// Destinations the target removes on purpose (TargetService.Removed) are
// never drained. live must be sorted (kernel.Snapshot is).
func drain(live kernel.Snapshot, t Target, prev Draining, timeout drainTimeouts, now time.Time) (Target, Draining) {
	next := Draining{}
	services := t.Services
	cloned := false
	i := 0
	join(sortedLive(live, false), t.Services, func(ls *kernel.Service, ts *TargetService) {
		if ts == nil {
			return
		}
		defer func() { i++ }()
		if ls == nil || ts.Role == RoleCheck { // a check service's stale destination goes at once
			return
		}
		extra := drainExtra(ls, ts, prev, next, timeout(ts.Name), now)
		if len(extra) == 0 {
			return
		}
		if !cloned { // copy on first change: the caller's target stays intact
			services, cloned = slices.Clone(services), true
		}
		services[i].Destinations = mergeDestinations(ts.Destinations, extra)
	})
	t.Services = services
	return t, next
}

// Next returns the earliest drain deadline, when the loop must run again.
func (d Draining) Next() (time.Time, bool) {
	var first time.Time
	for _, t := range d {
		if first.IsZero() || t.Before(first) {
			first = t
		}
	}
	return first, !first.IsZero()
}

// drainExtra returns the weight-0 destinations of lsvc that ts does not
// name and that still drain, recording their deadlines in next.
func drainExtra(lsvc *kernel.Service, ts *TargetService, prev, next Draining, timeout time.Duration, now time.Time) []TargetDestination {
	if sameKeys(lsvc.Destinations, ts.Destinations) {
		return nil // the common case: nothing live is missing from the target
	}
	var extra []TargetDestination
	j := 0
	for _, ld := range lsvc.Destinations {
		for j < len(ts.Destinations) && kernel.CompareDestinationKeys(ts.Destinations[j].Key, ld.Key) < 0 {
			j++
		}
		if (j < len(ts.Destinations) && ts.Destinations[j].Key == ld.Key) || containsKey(ts.Removed, ld.Key) {
			continue
		}
		k := DrainKey{Service: ts.Key, Destination: ld.Key}
		deadline, ok := prev[k]
		if !ok {
			deadline = now.Add(timeout)
		}
		c := ld.Conns
		if !now.Before(deadline) || c.Active+c.Inactive+c.Persistent == 0 {
			continue // drained: leave it out, diff deletes it
		}
		next[k] = deadline
		dc := ld.Config
		dc.Weight = 0
		reason := ReasonDraining
		if containsKey(ts.Idle, ld.Key) {
			reason = ReasonFallbackIdle
		}
		extra = append(extra, TargetDestination{Key: ld.Key, Config: dc, Reason: reason})
	}
	return extra
}

func containsKey(ks []kernel.DestinationKey, k kernel.DestinationKey) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// mergeDestinations returns a and b merged in key order (both sorted).
func mergeDestinations(a, b []TargetDestination) []TargetDestination {
	out := make([]TargetDestination, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if j == len(b) || (i < len(a) && kernel.CompareDestinationKeys(a[i].Key, b[j].Key) < 0) {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	return out
}

// configDrainTimeouts looks drain timeouts up in cfg (services sorted by name).
func configDrainTimeouts(cfg desired.Config) drainTimeouts {
	return func(name string) time.Duration {
		i := sort.Search(len(cfg.Services), func(i int) bool { return cfg.Services[i].Name >= name })
		if i < len(cfg.Services) && cfg.Services[i].Name == name {
			return cfg.Services[i].DrainTimeout
		}
		return desired.DefaultDrainTimeout
	}
}
