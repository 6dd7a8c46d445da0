package daemon

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/seesaw-lb/seesaw/vrrp"
)

// kick is a wake-up that never blocks: pokes while one is pending merge.
type kick chan struct{}

func newKick() kick { return make(kick, 1) }

func (k kick) poke() {
	select {
	case k <- struct{}{}:
	default:
	}
}

// router is one run of a VRRP node: from its start until the daemon stops,
// replaces it (a new VRID, interface, address family, source address or
// advert timing) or leaves VRRP (the vrrp section was removed).
type router struct {
	node   *vrrp.Node
	cfg    vrrp.Config // in force: the last one Reconfigure took
	cancel context.CancelFunc
	done   chan error // Run's result, once
	// detached: the daemon has left VRRP; the node's release hook and
	// events no longer touch the loop's mastership.
	detached atomic.Bool
	followed chan struct{} // closed when the node's events are all taken
}

// runVRRP runs the virtual router of the config in force and follows the
// changes of the vrrp section at each config load: settings that keep the
// router are applied to the running node (vrrp.Node.Reconfigure: no change
// of mastership); a new identity replaces the node; adding the section
// makes a standalone node join (as Master, since it holds the VIPs);
// removing it makes the node standalone. Without a vrrp section it waits.
func (w *wiring) runVRRP(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case <-w.ready:
	}
	var r *router
	first := true
	defer func() {
		if r != nil {
			r.cancel()
			<-r.followed
		}
	}()
	for {
		w.mu.Lock()
		vc, ok := vrrpConfig(w.raw)
		w.mu.Unlock()
		var err error
		switch {
		case r == nil && ok:
			r, err = w.startRouter(ctx, vc, !first)
		case r != nil && !ok:
			w.leaveVRRP(r)
			r = nil
		case r != nil && !vc.Equal(r.cfg):
			r, err = w.reconfigure(ctx, r, vc)
		}
		if err != nil {
			return err
		}
		first = false
		var done chan error
		if r != nil {
			done = r.done
		}
		select {
		case <-ctx.Done():
			return nil
		case <-w.vrrpChanged:
		case err := <-done:
			<-r.followed
			r = nil
			if ctx.Err() != nil {
				return nil
			}
			if err == nil {
				err = errors.New("the node stopped")
			}
			return fmt.Errorf("vrrp VRID %d on %s: %w", vc.VRID, vc.Interface, err)
		}
	}
}

// reconfigure applies vc to r's node, or replaces the node when vc is
// another virtual router. A change the node refuses for another reason
// (it is stopping) is logged and retried at the next config load.
func (w *wiring) reconfigure(ctx context.Context, r *router, vc vrrp.Config) (*router, error) {
	err := r.node.Reconfigure(vc)
	switch {
	case err == nil:
		r.cfg = vc
		w.mu.Lock()
		w.vrrpCfg = vc
		w.mu.Unlock()
		w.log.Info("vrrp settings applied to the running virtual router", "vrid", vc.VRID, "priority", vc.Priority,
			"advert_interval", vc.AdvertInterval, "preempt", vc.Preempt, "vips", len(vc.VIPs))
		return r, nil
	case errors.Is(err, vrrp.ErrNewRouter):
		w.log.Warn("vrrp section names another virtual router: leaving the old one (priority 0 if master) and joining the new one as at start",
			"reason", err.Error())
		r.cancel()
		<-r.done
		<-r.followed
		return w.startRouter(ctx, vc, false)
	}
	w.log.Error("vrrp settings not applied; kept the running ones", "error", err.Error())
	return r, nil
}

// startRouter opens the socket of vc and runs a node on it. held starts it
// as Master (the node holds the VIPs as a standalone node); otherwise it
// starts as Backup and the VIPs stay away until it is Master.
func (w *wiring) startRouter(ctx context.Context, vc vrrp.Config, held bool) (*router, error) {
	if w.listen == nil {
		return nil, fmt.Errorf("vrrp VRID %d on %s: no VRRP socket in this build", vc.VRID, vc.Interface)
	}
	conn, err := w.listen(vc)
	if err != nil {
		return nil, fmt.Errorf("vrrp VRID %d on %s: %w", vc.VRID, vc.Interface, err)
	}
	node, err := vrrp.NewNode(vc, conn, vrrp.SystemClock{}, w.log)
	if err != nil {
		conn.Close()
		return nil, err
	}
	rctx, cancel := context.WithCancel(ctx)
	r := &router{node: node, cfg: vc, cancel: cancel, done: make(chan error, 1), followed: make(chan struct{})}
	node.SetRelease(func() bool {
		return r.detached.Load() || w.release(r.cfg)
	})
	node.SetHandoff(w.peerLeft.hook)
	w.mu.Lock()
	cfg := w.cfg
	w.mu.Unlock()
	node.SetPriorityPenalty(servicePenalty(cfg, w.loop.Status().Services))
	if held {
		node.StartHeld()
	} else {
		w.setMaster(r, false) // until the node says otherwise
	}
	w.mu.Lock()
	w.node, w.vrrpCfg, w.vrrpEvent = node, vc, vrrp.Event{}
	w.mu.Unlock()
	go func() { r.done <- node.Run(rctx) }()
	go w.track(rctx, node)
	go w.followEvents(rctx, r)
	return r, nil
}

// followEvents makes the loop's mastership follow r's node.
func (w *wiring) followEvents(ctx context.Context, r *router) {
	defer close(r.followed)
	for ev := range r.node.Events() { // the node logs each change itself
		w.mu.Lock()
		if w.node == r.node {
			w.vrrpEvent = ev
		}
		w.mu.Unlock()
		w.hookVRRP(r, ev)
		if ev.State == vrrp.Master && ev.Reason == vrrp.ReasonPreempt {
			// The master this node preempts holds the VIPs until it has
			// read this node's first advert and released them: take them
			// on its handoff advert, or one advert interval later
			// (preempt.go).
			w.followAfter(ctx, r, preemptHandoff(r.cfg), ev.At)
			continue
		}
		w.follow(r)
	}
}

// leaveVRRP makes the node standalone: it holds the VIPs from now on, and
// the node leaves the virtual router (priority 0 if it was master) without
// releasing them.
func (w *wiring) leaveVRRP(r *router) {
	r.detached.Store(true)
	w.masterTurn <- struct{}{}
	w.loop.SetMaster(true)
	<-w.masterTurn
	r.cancel()
	<-r.done
	<-r.followed
	w.mu.Lock()
	w.node, w.vrrpCfg, w.vrrpEvent = nil, vrrp.Config{}, vrrp.Event{}
	w.mu.Unlock()
	w.log.Warn("vrrp section removed: this node is standalone and holds every VIP; a peer still in the virtual router takes them too")
}
