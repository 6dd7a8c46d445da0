package reconcile

import (
	"slices"

	"github.com/seesaw-lb/seesaw/kernel"
)

// Patch returns live with the acknowledged ops of results applied, as the
// kernel applied them, so the loop can plan the next change without
// re-reading the whole table. Failed and uncertain ops are skipped: after
// those the caller must re-read the kernel anyway. Only the services an op
// touches are copied; live is not modified.
func Patch(live kernel.Snapshot, results []kernel.Result) kernel.Snapshot {
	svcs := slices.Clone(live.Services)
	idx := make(map[kernel.ServiceKey]int, len(results))
	for i := range svcs {
		idx[svcs[i].Key] = i
	}
	copied := map[kernel.ServiceKey]bool{}
	deleted := map[kernel.ServiceKey]bool{}
	for _, r := range results {
		if r.Err != nil {
			continue
		}
		op := r.Op
		i, ok := idx[op.Service]
		switch op.Kind {
		case kernel.AddService:
			idx[op.Service] = len(svcs)
			svcs = append(svcs, kernel.Service{Key: op.Service, Config: op.ServiceConfig})
			copied[op.Service], deleted[op.Service] = true, false
			continue
		case kernel.DeleteService:
			deleted[op.Service] = true
			continue
		}
		if !ok || deleted[op.Service] {
			continue
		}
		if !copied[op.Service] {
			svcs[i].Destinations = slices.Clone(svcs[i].Destinations)
			copied[op.Service] = true
		}
		patchService(&svcs[i], op)
	}
	out := svcs[:0:0]
	for _, s := range svcs {
		if !deleted[s.Key] {
			out = append(out, s)
		}
	}
	snap := kernel.Snapshot{Services: out}
	snap.Sort()
	return snap
}

// patchService applies one update or destination op to s.
func patchService(s *kernel.Service, op kernel.Op) {
	j := slices.IndexFunc(s.Destinations, func(d kernel.Destination) bool { return d.Key == op.Destination })
	switch op.Kind {
	case kernel.UpdateService:
		s.Config = op.ServiceConfig
	case kernel.AddDestination:
		if j < 0 {
			s.Destinations = append(s.Destinations, kernel.Destination{Key: op.Destination, Config: op.DestinationConfig})
		}
	case kernel.UpdateDestination:
		if j >= 0 {
			s.Destinations[j].Config = op.DestinationConfig
		}
	case kernel.DeleteDestination:
		if j >= 0 {
			s.Destinations = slices.Delete(s.Destinations, j, j+1)
		}
	}
}
