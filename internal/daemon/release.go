package daemon

import (
	"context"
	"time"

	"github.com/seesaw-lb/seesaw/vrrp"
)

// releaseTimeout bounds what a Master that leaves mastership waits for its
// VIPs to go before it sends priority 0 (releaseBound): a stuck kernel must
// neither hang a stop nor keep the backup from taking over.
const releaseTimeout = 2 * time.Second

// releaseBound is how long a Master of c waits at most for its VIPs to go:
// releaseTimeout, or three advert intervals when that is longer (a backup
// takes over from silence after Master_Down_Interval, three intervals plus
// Skew_Time, so a release within three intervals still ends before it).
// A preempting peer gives a seesaw master that long to let go (preempt.go).
func releaseBound(c vrrp.Config) time.Duration {
	return max(releaseTimeout, 3*c.AdvertInterval)
}

// mastership serialises the loop's VRRP mastership: the node's events and
// its release hook take turns, so a Master event read before the release
// cannot reach the loop after it.
type mastership chan struct{}

func newMastership() mastership { return make(mastership, 1) }

// follow sets the loop's mastership of r's instance from r's node's
// current state (not the event's, which may be older), unless the daemon
// has left VRRP.
func (w *wiring) follow(r *router) {
	w.masterTurn <- struct{}{}
	defer func() { <-w.masterTurn }()
	if !r.detached.Load() {
		w.loop.SetInstanceMaster(r.name, masterOf(r.node.State()))
	}
}

// setMaster sets the loop's mastership of r's instance to m, unless the
// daemon has left VRRP.
func (w *wiring) setMaster(r *router, m bool) {
	w.masterTurn <- struct{}{}
	defer func() { <-w.masterTurn }()
	if !r.detached.Load() {
		w.loop.SetInstanceMaster(r.name, m)
	}
}

// release is the VRRP node's release hook: r's node is no longer Master
// and has not yet sent its last advert. It removes the addresses of r's
// instance (those of the instances still master stay), waiting at most
// releaseBound of its config, and reports whether they are gone; the sync
// daemons keep both roles.
func (w *wiring) release(r *router) bool {
	bound := releaseBound(r.cfg)
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	start := time.Now()
	select {
	case w.masterTurn <- struct{}{}:
		defer func() { <-w.masterTurn }()
	case <-ctx.Done():
		w.log.Error("leaving mastership: VIPs may still be held", "instance", r.name, "error", "the loop's mastership is busy", "waited", bound)
		return false
	}
	if err := w.loop.ReleaseInstance(ctx, r.name); err != nil {
		w.log.Error("leaving mastership: VIPs may still be held", "instance", r.name, "error", err.Error(), "waited", time.Since(start))
		return false
	}
	w.log.Info("left mastership: VIPs removed", "instance", r.name, "took", time.Since(start))
	w.handoff(r)
	return true
}

// handoff sends the peer's backup sync daemon the live connections of the
// config's services (connsync.go), after the VIPs are gone (no connection
// starts here any more) and before the priority-0 advert (the peer has them
// when it takes over). A config without sync_daemon hands nothing over; a
// failure is logged and does not hold the release.
func (w *wiring) handoff(r *router) {
	w.mu.Lock()
	cfg := w.cfg
	w.mu.Unlock()
	v, ok := cfg.Node.SyncDaemonInstance()
	if !ok || v.SyncDaemon == nil {
		return
	}
	start := time.Now()
	sent, skipped, err := handoffConns(cfg, *v.SyncDaemon)
	if err != nil {
		w.log.Warn("leaving mastership: connections not handed to the peer; the kernel's sync daemon sends them within 2 s",
			"instance", r.name, "sent", sent, "error", err.Error())
		return
	}
	w.log.Info("left mastership: connections handed to the peer", "instance", r.name,
		"sent", sent, "skipped", skipped, "took", time.Since(start))
}
