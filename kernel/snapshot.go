package kernel

import (
	"cmp"
	"slices"
)

// Snapshot is the whole IPVS table of a network namespace at one moment:
// every service with its destinations, sorted by key (services) and by key
// within a service (destinations), independent of the kernel's list order,
// which each destination's ListPos keeps.
type Snapshot struct {
	Services []Service
}

// Service returns the service with key k and whether it exists.
func (s Snapshot) Service(k ServiceKey) (Service, bool) {
	for _, svc := range s.Services {
		if svc.Key == k {
			return svc, true
		}
	}
	return Service{}, false
}

// Sort orders services and their destinations by key, in place.
func (s Snapshot) Sort() {
	slices.SortFunc(s.Services, func(a, b Service) int { return CompareServiceKeys(a.Key, b.Key) })
	for _, svc := range s.Services {
		sortDestinations(svc.Destinations)
	}
}

// sortDestinations orders ds by key. The kernel lists a service's
// destinations newest first, so a table added in key order arrives
// reversed: that case is a reversal, not a sort of 160-byte values.
func sortDestinations(ds []Destination) {
	byKey := func(a, b Destination) int { return CompareDestinationKeys(a.Key, b.Key) }
	if slices.IsSortedFunc(ds, byKey) {
		return
	}
	if slices.IsSortedFunc(ds, func(a, b Destination) int { return byKey(b, a) }) {
		slices.Reverse(ds)
		return
	}
	slices.SortFunc(ds, byKey)
}

// CompareServiceKeys orders keys: address services before fwmark services,
// then by family, address, protocol, port, mark.
func CompareServiceKeys(a, b ServiceKey) int {
	if c := boolCompare(a.FWMark != 0, b.FWMark != 0); c != 0 {
		return c
	}
	return cmp.Or(
		cmp.Compare(a.Family, b.Family),
		a.Addr.Compare(b.Addr),
		cmp.Compare(a.Protocol, b.Protocol),
		cmp.Compare(a.Port, b.Port),
		cmp.Compare(a.FWMark, b.FWMark),
	)
}

// CompareDestinationKeys orders keys by family, address, port.
func CompareDestinationKeys(a, b DestinationKey) int {
	return cmp.Or(
		cmp.Compare(a.Family, b.Family),
		a.Addr.Compare(b.Addr),
		cmp.Compare(a.Port, b.Port),
	)
}

func boolCompare(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
