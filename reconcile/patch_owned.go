package reconcile

import (
	"slices"

	"github.com/seesaw-lb/seesaw/kernel"
)

// patchOwned is patch for a table only its caller holds and knows sorted
// (the loop's, marked by liveOrder): when every acknowledged op updates a
// service or adds, updates or deletes a destination of a service the
// table has (an edit's usual plan), the touched services are written in
// place, each with a fresh destination list, and the list of every
// service is not copied. Anything else goes through patchSorted. The
// result is live itself or a new table, sorted either way.
func patchOwned(live kernel.Snapshot, sorted bool, results []kernel.Result) kernel.Snapshot {
	if !sorted {
		return patchSorted(live, false, results)
	}
	at := make([]int, len(results))
	for n, r := range results {
		at[n] = -1
		if r.Err != nil {
			continue
		}
		if r.Op.Kind == kernel.AddService || r.Op.Kind == kernel.DeleteService {
			return patchSorted(live, true, results)
		}
		i, ok := slices.BinarySearchFunc(live.Services, r.Op.Service, func(s kernel.Service, k kernel.ServiceKey) int {
			return kernel.CompareServiceKeys(s.Key, k)
		})
		if !ok {
			return patchSorted(live, true, results)
		}
		at[n] = i
	}
	touched := map[int]bool{}
	for n, r := range results {
		i := at[n]
		if i < 0 {
			continue
		}
		if !touched[i] {
			live.Services[i].Destinations = slices.Clone(live.Services[i].Destinations)
			touched[i] = true
		}
		patchService(&live.Services[i], r.Op)
	}
	for i := range touched {
		slices.SortFunc(live.Services[i].Destinations, compareDest)
	}
	return live
}
