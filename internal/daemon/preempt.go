package daemon

import (
	"context"
	"net/netip"
	"time"

	"github.com/seesaw-lb/seesaw/vrrp"
)

// preemptHandoff is how long a node that preempted a lower-priority master
// waits at least before it takes the VIPs without a handoff advert: one
// advert interval. The old master releases them as soon as it reads the
// new master's first advert; a seesaw node then says so with a priority-0
// handoff advert, and the wait ends there (peerLeft). A peer that sends
// none (keepalived) stops advertising when it yields: the VIPs are taken
// once it has been silent for one and a half intervals, never while it
// still advertises, and never before a seesaw master could have finished
// its release (releaseBound plus half an interval since the preemption):
// a seesaw master is silent while it releases, so silence alone does not
// say the VIPs are gone. The window where both hold a VIP stays zero; with
// a keepalived peer, which drops its VIPs at once, the window where
// neither does is that bound.
func preemptHandoff(c vrrp.Config) time.Duration { return c.AdvertInterval }

// peerLeft carries the times the VRRP node, as Master, read a priority-0
// advert; it holds the latest one only.
type peerLeft chan time.Time

func newPeerLeft() peerLeft { return make(peerLeft, 1) }

// hook is the node's handoff hook: it never blocks, and replaces an older
// time nobody took.
func (p peerLeft) hook(netip.Addr) {
	now := time.Now()
	for {
		select {
		case p <- now:
			return
		default:
		}
		select {
		case <-p:
		default:
		}
	}
}

// followAfter follows the node's state once the preempted master has let
// go (waitHandoff), unless ctx ends first; an event in between is followed
// at once by follow, and this later follow then reads the same current
// state.
func (w *wiring) followAfter(ctx context.Context, r *router, d time.Duration, since time.Time) {
	go func() {
		how, ok := r.peerLeft.wait(ctx, d, since, since.Add(releaseBound(r.cfg)+d/2), r.node.LastRivalAdvert)
		if !ok {
			return
		}
		w.log.Info("taking the VIPs from the preempted master", "instance", r.name, "on", how, "waited", time.Since(since))
		w.follow(r)
	}()
}

// wait returns when a handoff advert newer than since arrives ("handoff
// advert"), or, at notBefore at the earliest, when d has passed and the
// old master has been silent for one and a half d ("silence": rival says
// when it last advertised; a master still advertising has not let go); ok
// is false when ctx ended first.
func (p peerLeft) wait(ctx context.Context, d time.Duration, since, notBefore time.Time, rival func() time.Time) (how string, ok bool) {
	t := time.NewTimer(max(d, time.Until(notBefore)))
	defer t.Stop()
	for {
		select {
		case <-t.C:
			quiet := notBefore
			if last := rival(); !last.IsZero() && last.Add(d+d/2).After(quiet) {
				quiet = last.Add(d + d/2)
			}
			if time.Now().Before(quiet) {
				t.Reset(time.Until(quiet))
				continue
			}
			return "silence", true
		case at := <-p:
			if at.Before(since) {
				continue // from an earlier mastership
			}
			return "handoff advert", true
		case <-ctx.Done():
			return "", false
		}
	}
}
