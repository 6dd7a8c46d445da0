package reconcile

import (
	"reflect"
	"slices"

	"github.com/seesaw-lb/seesaw/desired"
)

// serviceEqual reports whether two configured services are the same, field
// by field (TestServiceEqualKnowsEveryField fails when desired.Service gains
// a field this does not compare). Slices that share their array are equal
// without a look at their elements: the services of a file that was not
// re-parsed share them with the previous config.
func serviceEqual(a, b *desired.Service) bool {
	return a.Name == b.Name && a.VIP == b.VIP && a.Fwmark == b.Fwmark && a.IPv6 == b.IPv6 &&
		a.Interface == b.Interface && a.VRRPInstance == b.VRRPInstance && a.Scheduler == b.Scheduler && a.SchedulerFlags == b.SchedulerFlags &&
		a.Forward == b.Forward && a.Tunnel == b.Tunnel && persistenceEqual(a.Persistence, b.Persistence) &&
		a.OnePacket == b.OnePacket && a.Watermarks == b.Watermarks && a.DrainTimeout == b.DrainTimeout &&
		a.OnUnhealthy == b.OnUnhealthy && a.Source == b.Source &&
		sliceEqual(a.Ports, b.Ports) && sliceEqual(a.Backends, b.Backends) && checksEqual(a.Checks, b.Checks) &&
		fallbacksEqual(a.Fallback, b.Fallback)
}

// comparedServiceFields are the fields of desired.Service that serviceEqual compares.
var comparedServiceFields = []string{"Name", "VIP", "Fwmark", "IPv6", "Ports", "Interface", "VRRPInstance", "Scheduler", "SchedulerFlags",
	"Forward", "Tunnel", "Persistence", "OnePacket", "Watermarks", "DrainTimeout", "OnUnhealthy", "Checks",
	"Backends", "Fallback", "Source"}

func persistenceEqual(a, b *desired.Persistence) bool {
	return a == b || (a != nil && b != nil && *a == *b)
}

// sliceEqual is slices.Equal that first checks for a shared array.
func sliceEqual[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || &a[0] == &b[0] {
		return true
	}
	return slices.Equal(a, b)
}

// checksEqual compares check lists: the same array, else deeply (checks
// hold maps and slices of their own).
func checksEqual(a, b []desired.Check) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || &a[0] == &b[0] {
		return true
	}
	return reflect.DeepEqual(a, b)
}

// fallbacksEqual compares fallback lists: the same array, else deeply
// (fallbacks hold checks).
func fallbacksEqual(a, b []desired.Fallback) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || &a[0] == &b[0] {
		return true
	}
	return reflect.DeepEqual(a, b)
}
