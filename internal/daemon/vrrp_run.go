package daemon

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/seesaw-lb/seesaw/reconcile"
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

// router is one run of a VRRP node, the virtual router of one instance:
// from its start until the daemon stops, replaces it (a new VRID,
// interface, address family, source address or advert timing), or the
// instance leaves the config.
type router struct {
	name   string // the instance's name
	node   *vrrp.Node
	cfg    vrrp.Config // in force: the last one Reconfigure took
	cancel context.CancelFunc
	done   chan error // Run's result, once
	// detached: the daemon has left VRRP; the node's release hook and
	// events no longer touch the loop's mastership.
	detached atomic.Bool
	followed chan struct{} // closed when the node's events are all taken
	// peerLeft ends a preempting node's wait for the old master (preempt.go).
	peerLeft peerLeft
	// resumeGARP ends the announcements of a resumed master (nil: none).
	resumeGARP func()
	// lowerGARP runs the announcements after a lower-priority master's
	// advert (lowerprio.go).
	lowerGARP reannouncer
}

// runVRRP runs one virtual router per VRRP instance of the config in force
// and follows the changes of the instances at each config load: settings
// that keep a router are applied to the running node (vrrp.Node.Reconfigure:
// no change of mastership); a new identity replaces the node; an instance
// added to a standalone node joins as Master (it holds the VIPs), one added
// to a VRRP node joins as Backup; an instance removed leaves (priority 0 if
// master, its addresses released), and removing every instance makes the
// node standalone. Without instances it waits.
func (w *wiring) runVRRP(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case <-w.ready:
	}
	routers := map[string]*router{}
	var memo vrrpMemo
	first := true
	defer func() {
		for _, r := range routers {
			r.cancel()
		}
		for _, r := range routers {
			<-r.followed
		}
	}()
	for {
		w.mu.Lock()
		vcs := memo.configs(w.raw)
		w.mu.Unlock()
		if err := w.applyInstances(ctx, routers, vcs, first); err != nil {
			return err
		}
		first = false
		select {
		case <-ctx.Done():
			return nil
		case <-w.vrrpChanged:
		case <-w.routerExit:
			if err := w.exited(ctx, routers); err != nil {
				return err
			}
		}
	}
}

// applyInstances makes routers run the instances vcs: it leaves VRRP when
// vcs is empty, stops the routers of removed instances, and starts or
// reconfigures the others in name order. At the daemon's start, an
// instance whose VIPs were all held starts as Master (resume.go).
func (w *wiring) applyInstances(ctx context.Context, routers map[string]*router, vcs map[string]vrrp.Config, first bool) error {
	if len(vcs) == 0 {
		if len(routers) > 0 {
			w.leaveVRRP(routers)
			clear(routers)
			w.publishRouters(routers)
		}
		return nil
	}
	standalone := !first && len(routers) == 0
	for name, r := range routers {
		if _, ok := vcs[name]; !ok {
			w.log.Warn("vrrp instance removed: leaving its virtual router (priority 0 if master)", "instance", name, "vrid", r.cfg.VRID)
			r.cancel()
			<-r.done
			<-r.followed
			delete(routers, name)
		}
	}
	names := make([]string, 0, len(vcs))
	for name := range vcs {
		names = append(names, name)
	}
	slices.Sort(names)
	defer w.publishRouters(routers)
	for _, name := range names {
		vc, r := vcs[name], routers[name]
		var err error
		switch {
		case r == nil:
			var resumed []reconcile.Address
			if first {
				resumed = w.resumes(name)
			}
			r, err = w.startRouter(ctx, name, vc, standalone || resumed != nil, resumed)
		case !vc.Equal(r.cfg):
			r, err = w.reconfigure(ctx, r, vc)
		}
		if err != nil {
			return err
		}
		routers[name] = r
	}
	return nil
}

// exited returns the error of a router whose node stopped by itself: the
// daemon stops then (systemd restarts it, and the restart adopts).
func (w *wiring) exited(ctx context.Context, routers map[string]*router) error {
	for name, r := range routers {
		select {
		case err := <-r.done:
			<-r.followed
			delete(routers, name)
			if ctx.Err() != nil {
				return nil
			}
			if err == nil {
				err = errors.New("the node stopped")
			}
			return fmt.Errorf("vrrp instance %s (VRID %d on %s): %w", name, r.cfg.VRID, r.cfg.Interface, err)
		default:
		}
	}
	return nil
}

// reconfigure applies vc to r's node, or replaces the node when vc is
// another virtual router. A change the node refuses for another reason
// (it is stopping) is logged and retried at the next config load.
func (w *wiring) reconfigure(ctx context.Context, r *router, vc vrrp.Config) (*router, error) {
	err := r.node.Reconfigure(vc)
	switch {
	case err == nil:
		r.cfg = vc
		w.log.Info("vrrp settings applied to the running virtual router", "instance", r.name, "vrid", vc.VRID, "priority", vc.Priority,
			"advert_interval", vc.AdvertInterval, "preempt", vc.Preempt, "vips", len(vc.VIPs))
		return r, nil
	case errors.Is(err, vrrp.ErrNewRouter):
		w.log.Warn("vrrp section names another virtual router: leaving the old one (priority 0 if master) and joining the new one as at start",
			"instance", r.name, "reason", err.Error())
		r.cancel()
		<-r.done
		<-r.followed
		return w.startRouter(ctx, r.name, vc, false, nil)
	}
	w.log.Error("vrrp settings not applied; kept the running ones", "instance", r.name, "error", err.Error())
	return r, nil
}

// startRouter opens the socket of vc and runs a node on it for instance
// name. held starts it as Master (the node holds the VIPs: as a
// standalone node, or since a run killed as Master); otherwise it starts
// as Backup and the instance's addresses stay away until it is Master.
// resumed are the VIPs a resumed master kept, which it announces.
func (w *wiring) startRouter(ctx context.Context, name string, vc vrrp.Config, held bool, resumed []reconcile.Address) (*router, error) {
	if w.listen == nil {
		return nil, fmt.Errorf("vrrp instance %s (VRID %d on %s): no VRRP socket in this build", name, vc.VRID, vc.Interface)
	}
	conn, err := w.listen(vc)
	if err != nil {
		return nil, fmt.Errorf("vrrp instance %s (VRID %d on %s): %w", name, vc.VRID, vc.Interface, err)
	}
	node, err := vrrp.NewNode(vc, conn, vrrp.SystemClock{}, w.log.With("instance", name))
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("vrrp instance %s: %w", name, err)
	}
	rctx, cancel := context.WithCancel(ctx)
	r := &router{name: name, node: node, cfg: vc, cancel: cancel, done: make(chan error, 1), followed: make(chan struct{}),
		peerLeft: newPeerLeft()}
	if resumed != nil {
		r.resumeGARP = w.announceResumed(rctx, name, resumed)
	}
	node.SetRelease(func() bool {
		return r.detached.Load() || w.release(r)
	})
	node.SetHandoff(r.peerLeft.hook)
	w.mu.Lock()
	cfg := w.cfg
	w.mu.Unlock()
	node.SetPriorityPenalty(servicePenaltyOf(cfg, name, w.loop.Status().Services))
	if held {
		node.StartHeld()
	} else {
		w.setMaster(r, false) // until the node says otherwise
	}
	go func() {
		r.done <- node.Run(rctx)
		w.routerExit.poke()
	}()
	go w.track(rctx, r)
	go w.followEvents(rctx, r)
	go w.reannounce(rctx, r)
	return r, nil
}

// followEvents makes the loop's mastership of r's instance follow r's node.
func (w *wiring) followEvents(ctx context.Context, r *router) {
	defer close(r.followed)
	for ev := range r.node.Events() { // the node logs each change itself
		w.mu.Lock()
		if in, ok := w.instances[r.name]; ok && in.node == r.node {
			in.event = ev
		}
		w.mu.Unlock()
		w.syncGroupFollow(r, ev)
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

// leaveVRRP makes the node standalone: it holds every address from now on,
// and each router leaves its virtual router (priority 0 if it was master)
// without releasing them.
func (w *wiring) leaveVRRP(routers map[string]*router) {
	for _, r := range routers {
		r.detached.Store(true)
	}
	w.masterTurn <- struct{}{}
	w.loop.SetMaster(true)
	<-w.masterTurn
	for _, r := range routers {
		r.cancel()
		<-r.done
		<-r.followed
	}
	w.log.Warn("vrrp section removed: this node is standalone and holds every VIP; a peer still in the virtual router takes them too")
}
