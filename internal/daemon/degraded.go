package daemon

import (
	"maps"
	"sync"
)

// The parts that degrade instead of stopping the daemon, as the status
// report's "degraded" keys and the seesaw_degraded metric's part label.
const (
	partMetrics   = "metrics"
	partControl   = "control socket"
	partOverrides = "overrides file"
)

// degradedParts are the parts not needed to forward traffic that are
// failing now, each with its latest error. It has its own lock so a
// failing part never waits for the wiring.
type degradedParts struct {
	mu sync.Mutex
	m  map[string]string
}

// degrade records that part failed with err and logs it.
func (w *wiring) degrade(part string, err error) {
	w.log.Error("degraded: the daemon keeps running without this part", "part", part, "error", err.Error())
	if part == partOverrides {
		w.metrics.stateFileErrors.WithLabelValues("overrides").Inc()
	}
	w.degraded.mu.Lock()
	defer w.degraded.mu.Unlock()
	if w.degraded.m == nil {
		w.degraded.m = map[string]string{}
	}
	w.degraded.m[part] = err.Error()
}

// restore records that part works again.
func (w *wiring) restore(part string) {
	w.degraded.mu.Lock()
	_, was := w.degraded.m[part]
	delete(w.degraded.m, part)
	w.degraded.mu.Unlock()
	if was {
		w.log.Info("recovered", "part", part)
	}
}

// degradedNow returns a copy of the failing parts and their errors.
func (w *wiring) degradedNow() map[string]string {
	w.degraded.mu.Lock()
	defer w.degraded.mu.Unlock()
	return maps.Clone(w.degraded.m)
}
