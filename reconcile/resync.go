package reconcile

import (
	"context"
	"slices"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
)

// resyncStepEvery is the longest period of a spread resync's steps: a
// resync interval of N seconds is read in at least N slices.
const resyncStepEvery = time.Second

// maxStepServices bounds the services one step reads (more slices when the
// table is larger), so that no step is a burst.
const maxStepServices = 100

// maxResyncShare bounds the share of wall time the resync takes (1/5): a
// step's period is at least maxResyncShare times its own duration. The CPU
// budget (node.resync_cpu) bounds its share of the CPU the same way
// (spread.period). When the kernel cannot be re-read within the interval
// at those shares, the cycle stretches past the interval (and the log and
// Status.Resync say so) rather than taking more.
const maxResyncShare = 5

// maxResyncSlices bounds the slices of one interval.
const maxResyncSlices = 100000

// spread is the progress of a periodic resync spread over its interval, so
// that a large table is re-read a slice at a time instead of in one burst.
// A cycle starts with one dump of every service, compared with the cache
// (a service added, removed or changed by hand is drift); each step then
// dumps the destinations of the next 1/slices of those services and
// compares them with the cache. After the last step every service has been
// re-read once in the interval. Drift is written into the cache from the
// dumps themselves (no full re-read) and the round that follows plans the
// whole table against it, so a hand-made change is undone within one
// interval plus one round. Steps are paced (resync_pace.go) so that the
// resync stays under its CPU budget and 1/maxResyncShare of the wall time.
type spread struct {
	interval time.Duration
	slices   int                 // of the current cycle
	next     int                 // the next step's slice; 0 starts a cycle
	keys     []kernel.ServiceKey // the services of the cycle's dump
	start    time.Time           // when the cycle's dump ran

	// compare is the memory of a step's comparison with the cache,
	// reused by every step (resync_compare.go).
	compare destCompare

	// meter reads the process's CPU time (nil: processCPU).
	meter func() (time.Duration, error)
	// cycleCPU is the CPU of the current cycle's steps so far; held
	// reports that one of them waited longer than the cadence.
	cycleCPU time.Duration
	held     bool
	// endCPU is the process's CPU time when the last step ended and
	// ownCPU that step's own CPU (valid when endOK): the next step is
	// charged for the CPU between them.
	endCPU, ownCPU time.Duration
	endOK          bool
	// stretched is whether the last complete cycle took longer than the
	// interval; warned is when the log last said so.
	stretched bool
	warned    time.Time
}

// newSpread returns the spread resync of an interval; an interval under
// two seconds is re-read in full each time.
func newSpread(interval time.Duration) spread {
	return spread{interval: interval, slices: resyncSlices(interval, 0)}
}

// resyncSlices is how many steps read n services in one interval: at least
// one a second, and at most maxStepServices services a step.
func resyncSlices(interval time.Duration, n int) int {
	s := int(interval / resyncStepEvery)
	if s <= 1 {
		return 1
	}
	return min(max(s, (n+maxStepServices-1)/maxStepServices), maxResyncSlices)
}

// resyncStep runs one step of the spread resync and reports whether a
// round must run now: after drift (the cache then holds what the kernel
// has, and the round plans everything), after a failed read (the cache is
// invalid and the round re-reads in full), and at the end of each cycle
// (the periodic round, which also re-syncs VIPs and the sync daemon).
func (l *Loop) resyncStep(ctx context.Context, now time.Time) bool {
	sp := &l.spread
	if !l.liveOK {
		// A failed round left the cache invalid: its retry, due after the
		// backoff, re-reads in full.
		sp.abandonCycle()
		return false
	}
	if resyncSlices(sp.interval, 0) <= 1 {
		// Each step is a cycle: the round re-reads the table in full.
		if c, ok := sp.closeCycle(now); ok {
			c.services = len(l.live.Services)
			l.cycleDone(c, now)
		}
		sp.start = now
		l.liveOK = false
		l.rereadSettings()
		return true
	}
	drift := false
	if sp.next == 0 {
		if c, ok := sp.closeCycle(now); ok {
			l.cycleDone(c, now)
		}
		sp.start = now
		svcs, err := l.o.Kernel.Services(ctx)
		if err != nil {
			return l.resyncFailed("read IPVS services", err)
		}
		if k, why := servicesDrift(l.live.Services, svcs); why != "" {
			l.o.Log.Info("resync: drift", "what", why, "service", k.String())
			if err := l.adoptServices(ctx, svcs); err != nil {
				return l.resyncFailed("read IPVS destinations", err)
			}
			drift = true
		}
		sp.keys = sp.keys[:0]
		for _, s := range svcs {
			sp.keys = append(sp.keys, s.Key)
		}
		sp.slices = resyncSlices(sp.interval, len(sp.keys))
	}
	part := sp.keys[sp.next*len(sp.keys)/sp.slices : (sp.next+1)*len(sp.keys)/sp.slices]
	sp.next = (sp.next + 1) % sp.slices
	if len(part) > 0 {
		changed, err := l.compareDestinations(ctx, part)
		if err != nil {
			return l.resyncFailed("read IPVS destinations", err)
		}
		drift = drift || changed
	}
	if drift {
		l.prev = nil // the table changed under the cache: plan everything
	}
	if sp.next == 0 {
		l.setStatus(func(s *Status) { s.LastFullRead = sp.start })
		l.rereadSettings()
		if _, draining := l.draining.Next(); draining {
			// Whether a drained destination has no connections left is
			// judged on a full read, as before the resync was spread.
			l.liveOK = false
		}
		return true
	}
	return drift
}

// resyncFailed invalidates the cache after a failed read and restarts the
// cycle; the round that follows re-reads the table in full.
func (l *Loop) resyncFailed(what string, err error) bool {
	l.o.Log.Warn("resync: "+what+" failed; re-reading the whole table", "error", err.Error())
	l.spread.abandonCycle()
	l.liveOK = false
	return true
}

// adoptServices makes the cache's service list the dumped one: settings
// from the dump, destinations from the cache, and read from the kernel for
// the services the cache lacks.
func (l *Loop) adoptServices(ctx context.Context, fresh []kernel.Service) error {
	find := serviceFinder(l.live.Services)
	svcs := make([]kernel.Service, len(fresh))
	var missing []kernel.ServiceKey
	var at []int
	for i, s := range fresh {
		svcs[i] = kernel.Service{Key: s.Key, Config: s.Config, Stats: s.Stats}
		if j := find(s.Key); j >= 0 {
			svcs[i].Destinations = l.live.Services[j].Destinations
		} else {
			missing, at = append(missing, s.Key), append(at, i)
		}
	}
	if len(missing) > 0 {
		ds, err := l.o.Kernel.DestinationsOf(ctx, missing)
		if err != nil {
			return err
		}
		for n, i := range at {
			svcs[i].Destinations = ds[n]
		}
	}
	live := kernel.Snapshot{Services: svcs}
	live.Sort()
	l.live = live
	return nil
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
// are the cached ones, by key, settings and, where both know it, place in
// the kernel's list (counters aside).
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
		if d.ListPos != 0 && c.ListPos != 0 && d.ListPos != c.ListPos {
			return false
		}
	}
	return true
}
