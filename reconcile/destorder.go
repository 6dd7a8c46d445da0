package reconcile

import (
	"slices"

	"github.com/seesaw-lb/seesaw/kernel"
)

// The dh, sh and mh schedulers build their lookup tables by walking the
// service's destination list, and the kernel adds every new destination at
// the head of that list. Two nodes with the same destinations but different
// histories (add order, a destination deleted and re-added, a restart that
// adopted an older table) would therefore send the same flow to different
// backends. For these schedulers the plan keeps the list in one canonical
// order on every node: the destinations added in key order (address, then
// port), the order a fresh service gets; the kernel then dumps them in
// descending key order.

// orderSensitive reports whether a scheduler's choice of destination
// depends on the order of the destination list.
func orderSensitive(scheduler string) bool {
	switch scheduler {
	case "mh", "sh", "dh":
		return true
	}
	return false
}

// orderFix is how to bring a destination list to its canonical order.
type orderFix struct {
	// Keep is how many destinations at the start of the target (the oldest
	// end of the list) stay where they are.
	Keep int
	// Delete are the live destinations to delete before the adds, because
	// their place is after a destination that must be added: the live
	// members of target[Keep:], in target order.
	Delete []kernel.DestinationKey
	// Add are the destinations to add, in this order: target[Keep:].
	Add []kernel.DestinationKey
}

// Needed reports whether the list must change for its order (or for
// missing destinations).
func (f orderFix) Needed() bool { return len(f.Add) > 0 }

// fixOrder returns the fewest deletes and adds that turn a destination list
// into target, given the list as the kernel dumps it (dump, newest first)
// and target in add order (oldest first; the canonical order is ascending
// key). Live destinations that target does not name are ignored: deleting
// them does not move the others. Since an add can only go to the head, the
// destinations that stay untouched must be a prefix of target that appears,
// in order, in the live list from the oldest end; the longest such prefix
// is found greedily, and everything of target after it is (re-)added in
// order.
func fixOrder(dump, target []kernel.DestinationKey) orderFix {
	want := make(map[kernel.DestinationKey]bool, len(target))
	for _, k := range target {
		want[k] = true
	}
	keep := 0
	for i := len(dump) - 1; i >= 0 && keep < len(target); i-- {
		if dump[i] == target[keep] {
			keep++
		}
	}
	live := make(map[kernel.DestinationKey]bool, len(dump))
	for _, k := range dump {
		if want[k] {
			live[k] = true
		}
	}
	f := orderFix{Keep: keep}
	if keep == len(target) {
		return f
	}
	f.Add = slices.Clone(target[keep:])
	for _, k := range f.Add {
		if live[k] {
			f.Delete = append(f.Delete, k)
		}
	}
	return f
}

// dumpOrder returns the keys of a service's live destinations as the
// kernel lists them (newest first), and false when their list positions
// are not known (a table not read from a kernel) or not one list.
func dumpOrder(ds []kernel.Destination) ([]kernel.DestinationKey, bool) {
	if len(ds) == 0 {
		return nil, true
	}
	byPos := slices.Clone(ds)
	slices.SortFunc(byPos, func(a, b kernel.Destination) int { return b.ListPos - a.ListPos })
	keys := make([]kernel.DestinationKey, len(byPos))
	for i, d := range byPos {
		if d.ListPos != len(byPos)-i {
			return nil, false
		}
		keys[i] = d.Key
	}
	return keys, true
}

// inCanonicalOrder reports, without allocating, whether live (sorted by
// key) names the target's destinations and the kernel holds them in key
// order from the oldest: the steady state.
func inCanonicalOrder(live []kernel.Destination, target []TargetDestination) bool {
	if len(live) != len(target) {
		return false
	}
	for i := range live {
		if live[i].Key != target[i].Key || live[i].ListPos != i+1 {
			return false
		}
	}
	return true
}

// targetKeys returns the keys of a target service's destinations, which
// are sorted by key: the canonical add order.
func targetKeys(ts *TargetService) []kernel.DestinationKey {
	keys := make([]kernel.DestinationKey, len(ts.Destinations))
	for i := range ts.Destinations {
		keys[i] = ts.Destinations[i].Key
	}
	return keys
}

// orderOf returns how to fix the order of a live service's destinations for
// the target, when the target's scheduler depends on the order and the
// live order is known.
func orderOf(ls *kernel.Service, ts *TargetService) (orderFix, bool) {
	if !orderSensitive(ts.Config.Scheduler) || inCanonicalOrder(ls.Destinations, ts.Destinations) {
		return orderFix{}, false
	}
	dump, ok := dumpOrder(ls.Destinations)
	if !ok {
		return orderFix{}, false
	}
	f := fixOrder(dump, targetKeys(ts))
	return f, f.Needed()
}

// reorderDestinations appends the steps that bring a live service's
// destinations (sorted by key) to the target's in canonical order: updates
// of the ones that stay, deletes of the ones that must move, then the adds
// in order. Destinations the target does not name are left to
// deleteDestinations.
func reorderDestinations(steps []Step, ts *TargetService, live []kernel.Destination, f orderFix) []Step {
	find := func(k kernel.DestinationKey) int {
		i, _ := slices.BinarySearchFunc(live, k, func(d kernel.Destination, k kernel.DestinationKey) int {
			return kernel.CompareDestinationKeys(d.Key, k)
		})
		return i
	}
	for i := range ts.Destinations[:f.Keep] {
		td := &ts.Destinations[i]
		ld := &live[find(td.Key)]
		if !destinationConfigEqual(td.Key, ld.Config, td.Config) {
			steps = append(steps, Step{Op: kernel.Op{Kind: kernel.UpdateDestination, Service: ts.Key, Destination: td.Key,
				DestinationConfig: td.Config}, OldDestination: ld.Config, Reason: td.Reason})
		}
	}
	for _, k := range f.Delete {
		steps = append(steps, Step{Op: kernel.Op{Kind: kernel.DeleteDestination, Service: ts.Key, Destination: k},
			OldDestination: live[find(k)].Config, Reason: ReasonReorder})
	}
	for i := range ts.Destinations[f.Keep:] {
		td := &ts.Destinations[f.Keep+i]
		steps = append(steps, Step{Op: kernel.Op{Kind: kernel.AddDestination, Service: ts.Key, Destination: td.Key,
			DestinationConfig: td.Config}, Reason: td.Reason})
	}
	return steps
}
