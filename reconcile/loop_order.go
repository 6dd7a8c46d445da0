package reconcile

import "github.com/seesaw-lb/seesaw/kernel"

// liveOrder remembers the cached table the loop last had from patch,
// whose services are always sorted by key: the same array and length
// mean the same, still sorted, table, so the next plan and patch need
// not check the order of every service again. Any table put in its
// place (a read, a resync) has another array and is checked as before.
type liveOrder struct {
	first *kernel.Service
	n     int
}

// mark records live as sorted.
func (o *liveOrder) mark(live kernel.Snapshot) {
	o.first, o.n = nil, 0
	if len(live.Services) > 0 {
		o.first, o.n = &live.Services[0], len(live.Services)
	}
}

// sorted reports whether live is the table last marked.
func (o liveOrder) sorted(live kernel.Snapshot) bool {
	return len(live.Services) > 0 && &live.Services[0] == o.first && len(live.Services) == o.n
}
