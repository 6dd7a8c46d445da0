package reconcile

import (
	"context"
	"slices"

	"github.com/seesaw-lb/seesaw/kernel"
)

// destCompare is the memory of a step's comparison of dumped destinations
// with the cache, kept from one step to the next so that a clean step
// allocates nothing in proportion to the services it reads.
type destCompare struct {
	at      []int                  // each key's index in the cache (-1: absent)
	differs []bool                 // each key's dump differs from the cache
	fresh   [][]kernel.Destination // the dumped list of each key that differs
}

// reset sizes the memory for n keys and clears it.
func (dc *destCompare) reset(n int) {
	dc.at = slices.Grow(dc.at[:0], n)[:n]
	dc.differs = slices.Grow(dc.differs[:0], n)[:n]
	clear(dc.differs)
	dc.fresh = slices.Grow(dc.fresh[:0], n)[:n]
	clear(dc.fresh)
}

// compareDestinations dumps the destinations of keys and compares each list
// with the cache as it arrives, in the dump's own memory, which the next
// dump reuses (kernel.IPVS.VisitDestinations): only a list that differs is
// copied. On a difference the cache becomes a copy with the dumped lists
// and drift is reported. A key the cache lacks (a service deleted since
// the cycle's dump) counts as having none.
func (l *Loop) compareDestinations(ctx context.Context, keys []kernel.ServiceKey) (bool, error) {
	dc := &l.spread.compare
	dc.reset(len(keys))
	defer clear(dc.fresh) // the copies are the cache's now, or garbage
	cache := l.live.Services
	for i, k := range keys {
		dc.at[i] = findService(cache, k)
	}
	// Calls for different keys run at once: each writes only its index.
	err := l.o.Kernel.VisitDestinations(ctx, keys, func(i int, ds []kernel.Destination) {
		var cached []kernel.Destination
		if j := dc.at[i]; j >= 0 {
			cached = cache[j].Destinations
		}
		if !destinationsMatch(ds, cached) {
			dc.differs[i], dc.fresh[i] = true, slices.Clone(ds)
		}
	})
	if err != nil {
		return false, err
	}
	first := slices.Index(dc.differs, true)
	if first < 0 {
		return false, nil
	}
	l.o.Log.Info("resync: drift", "what", "destinations differ from the cache", "service", keys[first].String())
	svcs := slices.Clone(l.live.Services)
	for i, j := range dc.at {
		if j >= 0 && dc.differs[i] {
			svcs[j].Destinations = dc.fresh[i]
		}
	}
	l.live = kernel.Snapshot{Services: svcs}
	return true, nil
}

// findService returns the index of k in svcs (-1: absent) by binary search,
// as a read leaves the cache sorted, and by a scan when the search misses,
// so an unsorted cache is still searched right. Unlike serviceFinder it
// does not check the order of the whole cache first: a step looks up 100
// keys in a cache of 10,000 services, and that check was most of the
// step's own CPU (a profile of the idle daemon at 10,000 x 10).
func findService(svcs []kernel.Service, k kernel.ServiceKey) int {
	i, ok := slices.BinarySearchFunc(svcs, k, func(s kernel.Service, k kernel.ServiceKey) int {
		return kernel.CompareServiceKeys(s.Key, k)
	})
	if ok {
		return i
	}
	return slices.IndexFunc(svcs, func(s kernel.Service) bool { return s.Key == k })
}
