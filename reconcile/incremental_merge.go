package reconcile

import (
	"reflect"
	"slices"
	"strings"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// An incremental round's outputs share what did not change with the
// previous round's, which the loop treats as read-only: the target's lists
// are copied once and the dirty services written over their old places
// when they keep their keys and names (a weight or scheduler edit, a
// health change), and the watermark states are the previous map itself
// when no dirty service moved up or down. Anything else (a service added,
// removed or re-keyed) takes the sorted merge, which looks at every entry.

// mergeTargetInPlace is mergeTarget when every entry of sub replaces an
// entry of prev with the same key and name, and the dirty services had as
// many entries in prev (from prevCfg, the config prev was computed from:
// one target service per key of a service, one status per service) as
// they have in sub; ok is false otherwise (the caller merges). The count
// and the binary searches cost the dirty services', plus one copy of
// each list.
func mergeTargetInPlace(prevCfg desired.Config, prev, sub Target, dirty map[string]bool) (Target, bool) {
	nsvc, nst := 0, 0
	var keys []kernel.ServiceKey
	for name := range dirty {
		if s := serviceNamed(prevCfg.Services, name); s != nil {
			keys = serviceKeys(s, keys[:0])
			nsvc += len(keys)
			nst++
		}
	}
	if nsvc != len(sub.Services) || nst != len(sub.Status) {
		return Target{}, false
	}
	services, ok := replaceSorted(prev.Services, sub.Services,
		func(a, b TargetService) int { return kernel.CompareServiceKeys(a.Key, b.Key) },
		func(a, b TargetService) bool { return a.Name == b.Name && dirty[b.Name] }, nil)
	if !ok {
		return Target{}, false
	}
	status, ok := replaceSorted(prev.Status, sub.Status,
		func(a, b ServiceStatus) int { return strings.Compare(a.Name, b.Name) },
		func(a, b ServiceStatus) bool { return dirty[b.Name] },
		func(a, b ServiceStatus) bool { return a == b })
	if !ok {
		return Target{}, false
	}
	return Target{Services: services, Status: status}, true
}

// replaceSorted returns a with each element of b written over the element
// of a that compares equal to it (same reports whether the two are the
// same entry); ok is false when some element of b has no such element in
// a. a and b are sorted by cmp, with no two equal in a. a is copied before
// the first write, and not at all when equal (nil: never) says every
// element of b equals the one it replaces: a is never modified.
func replaceSorted[T any](a, b []T, cmp func(T, T) int, same, equal func(T, T) bool) ([]T, bool) {
	out := a
	copied := false
	for _, x := range b {
		i, found := slices.BinarySearchFunc(out, x, cmp)
		if !found || !same(out[i], x) {
			return nil, false
		}
		if equal != nil && equal(out[i], x) {
			continue
		}
		if !copied {
			out, copied = slices.Clone(a), true
		}
		out[i] = x
	}
	return out, true
}

// statesOf is t.States() for the merged target t, sharing prev (the
// previous round's states, which are its target's, read-only) when they
// are the same: every status of sub (the dirty services') is in prev with
// the same state, and t has as many services as prev, so the dirty
// services that are gone from sub were not in prev either.
func statesOf(t, sub Target, prev ServiceStates) ServiceStates {
	if prev == nil || len(prev) != len(t.Status) {
		return t.States()
	}
	for _, st := range sub.Status {
		if up, ok := prev[st.Name]; !ok || up != st.Up {
			return t.States()
		}
	}
	return prev
}

// sameMap reports whether a and b are the same map (or both nil).
func sameMap[K comparable, V any](a, b map[K]V) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}
