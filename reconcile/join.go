package reconcile

import (
	"slices"

	"github.com/seesaw-lb/seesaw/kernel"
)

// join walks live and target services in key order (both sorted by
// kernel.CompareServiceKeys) and calls fn for every key with the live
// service, the target service, or both (the missing one is nil). A merge
// join keeps a 10,000-service round free of maps.
func join(live []kernel.Service, target []TargetService, fn func(l *kernel.Service, t *TargetService)) {
	i, j := 0, 0
	for i < len(live) || j < len(target) {
		var c int
		switch {
		case i == len(live):
			c = 1
		case j == len(target):
			c = -1
		default:
			c = kernel.CompareServiceKeys(live[i].Key, target[j].Key)
		}
		switch {
		case c < 0:
			fn(&live[i], nil)
			i++
		case c > 0:
			fn(nil, &target[j])
			j++
		default:
			fn(&live[i], &target[j])
			i++
			j++
		}
	}
}

// sortedLive returns the live services sorted by key, cloning only when
// they are not. Destinations are checked only when deep is set (Compute
// checks once per round; diff and drain trust a sorted kernel.Snapshot).
func sortedLive(live kernel.Snapshot, deep bool) []kernel.Service {
	svcSorted := slices.IsSortedFunc(live.Services, func(a, b kernel.Service) int { return kernel.CompareServiceKeys(a.Key, b.Key) })
	dstSorted := true
	for i := range live.Services {
		if !deep {
			break
		}
		if !slices.IsSortedFunc(live.Services[i].Destinations, compareDest) {
			dstSorted = false
			break
		}
	}
	if svcSorted && dstSorted {
		return live.Services
	}
	s := kernel.Snapshot{Services: slices.Clone(live.Services)}
	for i := range s.Services {
		s.Services[i].Destinations = slices.Clone(s.Services[i].Destinations)
	}
	s.Sort()
	return s.Services
}

func compareDest(a, b kernel.Destination) int { return kernel.CompareDestinationKeys(a.Key, b.Key) }
