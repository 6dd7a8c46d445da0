package reconcile

import (
	"context"
	"slices"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
)

// resyncStepEvery is the period of a spread resync's steps: a resync
// interval of N seconds is read in N slices, one a second.
const resyncStepEvery = time.Second

// maxResyncSlices bounds the slices of one interval (an hour's interval
// reads 1/3600 of the table a second).
const maxResyncSlices = 3600

// spread is the progress of a periodic resync spread over its interval, so
// that a large table is re-read a slice at a time instead of in one burst.
// A cycle starts with one dump of every service, compared with the cache
// (a service added, removed or changed by hand is drift); each step then
// dumps the destinations of the next 1/slices of those services and
// compares them with the cache. After the last step every service has been
// re-read once in the interval. Drift invalidates the cache: the round that
// follows re-reads the whole table and repairs it, as a full resync does.
type spread struct {
	slices int
	next   int                 // the next step's slice; 0 starts a cycle
	keys   []kernel.ServiceKey // the services of the cycle's dump
	start  time.Time           // when the cycle's dump ran
}

// resyncSlices is how many steps read a table in one interval: one a
// second, and at least one.
func resyncSlices(interval time.Duration) int {
	return max(1, min(int(interval/resyncStepEvery), maxResyncSlices))
}

// resyncStep runs one step of the spread resync and reports whether a
// round must run now: after drift or a failed read (the cache is then
// invalid and the round re-reads in full), and at the end of each cycle
// (the periodic round, which also re-syncs VIPs and the sync daemon).
func (l *Loop) resyncStep(ctx context.Context, now time.Time) bool {
	sp := &l.spread
	if !l.liveOK {
		// A failed round left the cache invalid: its retry, due after the
		// backoff, re-reads in full.
		sp.next = 0
		return false
	}
	if sp.slices <= 1 {
		l.liveOK = false
		return true
	}
	if sp.next == 0 {
		svcs, err := l.o.Kernel.Services(ctx)
		if err != nil {
			return l.resyncDrift("read IPVS services failed", "error", err.Error())
		}
		if k, why := servicesDrift(l.live.Services, svcs); why != "" {
			return l.resyncDrift(why, "service", k.String())
		}
		sp.keys, sp.start = sp.keys[:0], now
		for _, s := range svcs {
			sp.keys = append(sp.keys, s.Key)
		}
	}
	part := sp.keys[sp.next*len(sp.keys)/sp.slices : (sp.next+1)*len(sp.keys)/sp.slices]
	sp.next = (sp.next + 1) % sp.slices
	if len(part) > 0 {
		ds, err := l.o.Kernel.DestinationsOf(ctx, part)
		if err != nil {
			return l.resyncDrift("read IPVS destinations failed", "error", err.Error())
		}
		find := serviceFinder(l.live.Services)
		for i, k := range part {
			var cached []kernel.Destination
			if j := find(k); j >= 0 {
				cached = l.live.Services[j].Destinations
			}
			if !destinationsMatch(ds[i], cached) {
				return l.resyncDrift("destinations differ from the cache", "service", k.String())
			}
		}
	}
	if sp.next == 0 {
		l.setStatus(func(s *Status) { s.LastFullRead = sp.start })
		return true
	}
	return false
}

// resyncDrift invalidates the cache and restarts the cycle; the round that
// follows re-reads the table in full.
func (l *Loop) resyncDrift(why string, args ...any) bool {
	l.o.Log.Info("resync: "+why+"; re-reading the whole table", args...)
	l.spread.next, l.liveOK = 0, false
	return true
}

// servicesDrift compares a dump of every service with the cached ones (set
// and settings) and names the first difference.
func servicesDrift(cached, fresh []kernel.Service) (kernel.ServiceKey, string) {
	byKey := make(map[kernel.ServiceKey]kernel.ServiceConfig, len(cached))
	for _, s := range cached {
		byKey[s.Key] = s.Config
	}
	for _, s := range fresh {
		c, ok := byKey[s.Key]
		if !ok {
			return s.Key, "a service not in the cache"
		}
		if !serviceConfigEqual(s.Key.Family, s.Config, c) {
			return s.Key, "service settings differ from the cache"
		}
		delete(byKey, s.Key)
	}
	for k := range byKey {
		return k, "a cached service is gone"
	}
	return kernel.ServiceKey{}, ""
}

// serviceFinder returns a lookup of a key's index in svcs (-1: absent):
// a binary search when svcs is sorted, as a read leaves it.
func serviceFinder(svcs []kernel.Service) func(kernel.ServiceKey) int {
	if slices.IsSortedFunc(svcs, compareService) {
		return func(k kernel.ServiceKey) int {
			i, ok := slices.BinarySearchFunc(svcs, k, func(s kernel.Service, k kernel.ServiceKey) int {
				return kernel.CompareServiceKeys(s.Key, k)
			})
			if !ok {
				return -1
			}
			return i
		}
	}
	idx := make(map[kernel.ServiceKey]int, len(svcs))
	for i, s := range svcs {
		idx[s.Key] = i
	}
	return func(k kernel.ServiceKey) int {
		if i, ok := idx[k]; ok {
			return i
		}
		return -1
	}
}

// destinationsMatch reports whether the destinations read from the kernel
// are the cached ones, by key and settings (counters aside).
func destinationsMatch(fresh, cached []kernel.Destination) bool {
	if len(fresh) != len(cached) {
		return false
	}
	for i, d := range fresh {
		c := cached[i]
		if c.Key != d.Key {
			j := slices.IndexFunc(cached, func(c kernel.Destination) bool { return c.Key == d.Key })
			if j < 0 {
				return false
			}
			c = cached[j]
		}
		if !destinationConfigEqual(d.Key, d.Config, c.Config) {
			return false
		}
	}
	return true
}
