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
// daemons keep both roles. The live connections then go to the peer
// (handoff): beside the priority-0 advert when the node stops or lost its
// link (Initialize: the backup takes over after Skew_Time, or after
// Master_Down_Interval), before the advert when it stays as Backup (a
// preempting master takes the VIPs as soon as it reads the advert).
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
	turn := time.Since(start)
	if r.resumeGARP != nil {
		r.resumeGARP() // never announce an address this node gives up
	}
	r.lowerGARP.stop()
	if err := w.loop.ReleaseInstance(ctx, r.name); err != nil {
		w.log.Error("leaving mastership: VIPs may still be held", "instance", r.name, "error", err.Error(), "waited", time.Since(start))
		return false
	}
	beside, when := r.node.State() == vrrp.Initialize, "before the advert"
	if beside {
		when = "beside the advert"
	}
	w.log.Info("left mastership: VIPs removed", "instance", r.name, "took", time.Since(start), "turn_waited", turn, "handoff", when)
	if beside {
		w.handoffs.run(func() { w.handoff(r) })
	} else {
		w.handoff(r)
	}
	return true
}
