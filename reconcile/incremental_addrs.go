package reconcile

import (
	"maps"
	"slices"
	"strings"

	"github.com/seesaw-lb/seesaw/desired"
)

// addressesKept reports whether the previous round's held addresses are
// still right: the floating addresses are the same and every dirty
// service is in both configs with the same VIP, interface and VRRP
// instance. The node and mastership are the previous round's (the
// incremental plan's condition) and every other service is unchanged, so
// heldAddresses would give the previous list again.
func addressesKept(prev, now desired.Config, dirty map[string]bool) bool {
	if !slices.Equal(prev.Addresses, now.Addresses) {
		return false
	}
	for name := range dirty {
		a, b := serviceNamed(prev.Services, name), serviceNamed(now.Services, name)
		if a == nil || b == nil || a.VIP != b.VIP || a.Interface != b.Interface || a.VRRPInstance != b.VRRPInstance {
			return false
		}
	}
	return true
}

// serviceNamed finds a service by binary search in services sorted by name.
func serviceNamed(services []desired.Service, name string) *desired.Service {
	i, ok := slices.BinarySearchFunc(services, name, func(s desired.Service, n string) int { return strings.Compare(s.Name, n) })
	if !ok {
		return nil
	}
	return &services[i]
}

// servicesNamed returns the services of names that services (sorted by
// name) hold, in name order: a binary search per name.
func servicesNamed(services []desired.Service, names map[string]bool) []desired.Service {
	sorted := slices.Sorted(maps.Keys(names))
	out := make([]desired.Service, 0, len(sorted))
	for _, name := range sorted {
		if s := serviceNamed(services, name); s != nil {
			out = append(out, *s)
		}
	}
	return out
}
