package daemon

import (
	"log/slog"
	"sync"
	"time"
)

// handoffExitBound is how long a stopping daemon waits at most for the
// connection handoffs still running before it exits: the backup takes over
// after Skew_Time (under one advert interval), so a handoff later than
// that is late anyway, and a stuck one must not hold the stop.
const handoffExitBound = 2 * time.Second

// handoff sends the peer's backup sync daemon the live connections of the
// config's services (connsync.go), once the VIPs are gone (no connection
// starts here any more) and before the peer takes over (release.go says
// when). A config without sync_daemon hands nothing over; a failure is
// logged and holds nothing.
func (w *wiring) handoff(r *router) {
	w.mu.Lock()
	cfg := w.cfg
	w.mu.Unlock()
	v, ok := cfg.Node.SyncDaemonInstance()
	if !ok || v.SyncDaemon == nil || w.sendConns == nil {
		return
	}
	start := time.Now()
	sent, skipped, err := w.sendConns(cfg, *v.SyncDaemon)
	if err != nil {
		w.log.Warn("leaving mastership: connections not handed to the peer; the kernel's sync daemon sends them within 2 s",
			"instance", r.name, "sent", sent, "error", err.Error())
		return
	}
	w.log.Info("left mastership: connections handed to the peer", "instance", r.name,
		"sent", sent, "skipped", skipped, "took", time.Since(start))
}

// handoffs are the connection handoffs running beside a priority-0
// advert; the zero value has none.
type handoffs struct{ wg sync.WaitGroup }

// run runs f on a goroutine of its own.
func (h *handoffs) run(f func()) {
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		f()
	}()
}

// wait returns when every handoff has ended, or after bound, saying so.
func (h *handoffs) wait(bound time.Duration, log *slog.Logger) {
	done := make(chan struct{})
	go func() {
		h.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(bound)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		log.Warn("stopping with a connection handoff still running; the kernel's sync daemon sends the rest", "waited", bound)
	}
}
