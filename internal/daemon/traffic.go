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

// traffic reads the kernel's traffic counters (connections, packets, bytes
// and rates per service and destination) for the metrics and the status
// page: one dump per request, shared by requests within trafficMaxAge of
// it. The reconcile loop's own dumps are not used: the loop owns them.
type traffic struct {
	k kernel.IPVS

	mu    sync.Mutex // held across a read, so concurrent requests share it
	snap  kernel.Snapshot
	at    time.Time
	err   error
	reads int // dumps made, for tests
}

// read returns the table with its counters, read now or within
// trafficMaxAge; the snapshot is shared and must not be modified.
func (t *traffic) read(ctx context.Context) (kernel.Snapshot, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.at.IsZero() && time.Since(t.at) < trafficMaxAge {
		return t.snap, t.err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	s, err := t.k.Snapshot(ctx)
	if err != nil {
		err = fmt.Errorf("read IPVS traffic counters: %w", err)
	}
	t.snap, t.err, t.at = s, err, time.Now()
	t.reads++
	return s, err
}

// readCount returns the number of dumps made so far.
func (t *traffic) readCount() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.reads
}
