package reconcile

import (
	"slices"

	"github.com/seesaw-lb/seesaw/kernel"
)

// patch returns live with the acknowledged ops of results applied, as the
// kernel applied them, so the loop can plan the next change without
// re-reading the whole table. Failed and uncertain ops are skipped: after
// those the caller must re-read the kernel anyway. Only the services an op
// touches are copied, and the cost is the ops' (a binary search each) plus
// one copy of the service list: live is not modified.
func patch(live kernel.Snapshot, results []kernel.Result) kernel.Snapshot {
	return patchSorted(live, false, results)
}

// patchSorted is patch; sorted says live's services are known to be
// sorted by key (the loop's liveOrder), which spares a pass over them.
// The result's services are always sorted.
func patchSorted(live kernel.Snapshot, sorted bool, results []kernel.Result) kernel.Snapshot {
	svcs := slices.Clone(live.Services)
	sorted = sorted || slices.IsSortedFunc(svcs, compareService)
	n0 := len(svcs)
	// at overrides the position of keys added (or deleted) by the ops.
	at := map[kernel.ServiceKey]int{}
	find := func(k kernel.ServiceKey) int {
		if i, ok := at[k]; ok {
			return i
		}
		if sorted {
			if i, ok := slices.BinarySearchFunc(svcs[:n0], k, func(s kernel.Service, k kernel.ServiceKey) int {
				return kernel.CompareServiceKeys(s.Key, k)
			}); ok {
				return i
			}
			return -1
		}
		return slices.IndexFunc(svcs[:n0], func(s kernel.Service) bool { return s.Key == k })
	}
	deleted := map[int]bool{}
	touched := map[int]bool{}
	added := false
	for _, r := range results {
		if r.Err != nil {
			continue
		}
		op := r.Op
		i := find(op.Service)
		switch op.Kind {
		case kernel.AddService:
			at[op.Service] = len(svcs)
			svcs = append(svcs, kernel.Service{Key: op.Service, Config: op.ServiceConfig})
			touched[len(svcs)-1] = true
			added = true
			continue
		case kernel.DeleteService:
			if i >= 0 {
				deleted[i] = true
				at[op.Service] = -1
			}
			continue
		}
		if i < 0 {
			continue
		}
		if !touched[i] {
			svcs[i].Destinations = slices.Clone(svcs[i].Destinations)
			touched[i] = true
		}
		patchService(&svcs[i], op)
	}
	return patchedSnapshot(svcs, sorted, added, deleted, touched)
}

// patchedSnapshot drops the deleted services and sorts what the ops may
// have put out of order: added services (appended) and the destinations
// of touched ones. Deletions and unsorted input (rare) take a full sort.
func patchedSnapshot(svcs []kernel.Service, sorted, added bool, deleted, touched map[int]bool) kernel.Snapshot {
	if len(deleted) > 0 || !sorted {
		out := svcs[:0:0]
		for i, s := range svcs {
			if !deleted[i] {
				out = append(out, s)
			}
		}
		snap := kernel.Snapshot{Services: out}
		snap.Sort()
		return snap
	}
	for i := range touched {
		slices.SortFunc(svcs[i].Destinations, compareDest)
	}
	if added && !slices.IsSortedFunc(svcs, compareService) {
		slices.SortFunc(svcs, compareService)
	}
	return kernel.Snapshot{Services: svcs}
}

func compareService(a, b kernel.Service) int { return kernel.CompareServiceKeys(a.Key, b.Key) }

// patchService applies one update or destination op to s.
func patchService(s *kernel.Service, op kernel.Op) {
	j := slices.IndexFunc(s.Destinations, func(d kernel.Destination) bool { return d.Key == op.Destination })
	switch op.Kind {
	case kernel.UpdateService:
		s.Config = op.ServiceConfig
	case kernel.AddDestination:
		if j < 0 {
			s.Destinations = append(s.Destinations, kernel.Destination{Key: op.Destination, Config: op.DestinationConfig,
				ListPos: headPos(s.Destinations)})
		}
	case kernel.UpdateDestination:
		if j >= 0 {
			s.Destinations[j].Config = op.DestinationConfig
		}
	case kernel.DeleteDestination:
		if j >= 0 {
			pos := s.Destinations[j].ListPos
			s.Destinations = slices.Delete(s.Destinations, j, j+1)
			unlinkPos(s.Destinations, pos)
		}
	}
}

// headPos is the list position the kernel gives a destination added to a
// service with destinations ds (it goes to the head), or 0 when the
// positions of ds are not known.
func headPos(ds []kernel.Destination) int {
	for _, d := range ds {
		if d.ListPos == 0 {
			return 0
		}
	}
	return len(ds) + 1
}

// unlinkPos renumbers the destinations newer than a deleted one at pos.
func unlinkPos(ds []kernel.Destination, pos int) {
	if pos == 0 {
		return
	}
	for i := range ds {
		if ds[i].ListPos > pos {
			ds[i].ListPos--
		}
	}
}
