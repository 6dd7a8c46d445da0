package daemon

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
)

// trafficMaxAge is how long one read of the kernel's counters serves the
// scrapes and status page requests that follow it: a scrape, two
// Prometheus servers scraping together and the status page's 1 s poll
// share one dump of the table.
const trafficMaxAge = time.Second

// trafficReadShare bounds the share of time spent reading counters: a read
// that took d serves requests for at least d/trafficReadShare (20 d), so a
// status page left open on a node with 10,000 services, whose read takes
// about a second, costs at most 5 % of a core rather than a dump a second.
const trafficReadShare = 0.05

// trafficFresh says whether a read made age ago, which took took, still
// serves a request.
func trafficFresh(age, took time.Duration) bool {
	return age < max(trafficMaxAge, time.Duration(float64(took)/trafficReadShare))
}

// traffic reads the kernel's traffic counters (connections, packets, bytes
// and rates per service and destination) for the metrics and the status
// page: one dump per request, shared by requests within trafficMaxAge of
// it. The reconcile loop's own dumps are not used: the loop owns them.
type traffic struct {
	k kernel.IPVS

	mu    sync.Mutex // held across a read, so concurrent requests share it
	snap  kernel.Snapshot
	at    time.Time
	took  time.Duration // how long the last read took
	err   error
	reads int // dumps made, for tests
}

// read returns the table with its counters, read now or recently enough
// (trafficFresh); the snapshot is shared and must not be modified.
func (t *traffic) read(ctx context.Context) (kernel.Snapshot, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.at.IsZero() && trafficFresh(time.Since(t.at), t.took) {
		return t.snap, t.err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	start := time.Now()
	s, err := t.k.Snapshot(ctx)
	if err != nil {
		err = fmt.Errorf("read IPVS traffic counters: %w", err)
	}
	t.snap, t.err, t.at, t.took = s, err, time.Now(), time.Since(start)
	t.reads++
	return s, err
}

// readCount returns the number of dumps made so far.
func (t *traffic) readCount() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.reads
}
