package daemon

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/reconcile"
	"github.com/seesaw-lb/seesaw/vrrp"
)

// A Master that reads the advert of a router it outranks (vrrp.Node's
// LowerPriorityAdverts) stays Master, but the other router is a master
// too: one that resumed after a crash (resume.go) and announced the VIPs
// it kept, or the other half of a healed split. Its announcements moved
// the neighbours to it, and when it reads this node's advert it yields and
// removes the VIPs, so nothing would move them back. The Master therefore
// announces the VIPs of the instance it holds again, as keepalived's
// garp_lower_prio_repeat does: the instance's garp settings' burst at once
// and, after garp_master_delay, a second one, which lands after the other
// router has yielded. Bursts start at most once per the longer of the
// advert interval and garp_interval; a report within that is dropped (the
// vrrp Stats count every advert). The release hook ends them before the
// VIPs go.

// reannouncer runs one router's bursts; its zero value is ready.
type reannouncer struct {
	mu     sync.Mutex
	cancel context.CancelFunc // of the burst under way, or nil
	busy   sync.WaitGroup     // the burst under way
}

// start begins a burst under ctx unless r's node is no longer Master;
// it returns the burst's context, or nil.
func (ra *reannouncer) start(ctx context.Context, node *vrrp.Node) (context.Context, func()) {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	// A node that leaves mastership stops saying Master before its
	// release hook runs stop, so no burst starts after stop.
	if node.State() != vrrp.Master {
		return nil, nil
	}
	bctx, cancel := context.WithCancel(ctx)
	ra.cancel = cancel
	ra.busy.Add(1)
	return bctx, func() {
		cancel()
		ra.busy.Done()
	}
}

// stop ends the burst under way and returns once no announcement is in
// flight.
func (ra *reannouncer) stop() {
	ra.mu.Lock()
	if ra.cancel != nil {
		ra.cancel()
	}
	ra.mu.Unlock()
	ra.busy.Wait()
}

// reannounce follows r's node's lower-priority adverts until ctx ends.
func (w *wiring) reannounce(ctx context.Context, r *router) {
	if w.announce == nil || w.listAddrs == nil {
		return
	}
	var last time.Time
	second := time.NewTimer(time.Hour)
	second.Stop()
	defer second.Stop()
	for {
		var peer netip.Addr
		select {
		case <-ctx.Done():
			return
		case peer = <-r.node.LowerPriorityAdverts():
		case <-second.C:
		}
		w.mu.Lock()
		cfg := w.raw
		w.mu.Unlock()
		vc, p := vrrpConfigs(cfg)[r.name], garpOf(cfg, r.name)
		if peer.IsValid() {
			if !last.IsZero() && time.Since(last) < max(vc.AdvertInterval, p.Interval) {
				continue
			}
			last = time.Now()
		}
		w.reannounceBurst(ctx, r, cfg, vc, p, peer)
		if peer.IsValid() && p.Delay > 0 {
			second.Reset(p.Delay)
		}
	}
}

// reannounceBurst announces the VIPs of vc that r's node holds now, unless
// it is no longer Master. peer is the outranked router (invalid: this is
// the delayed second burst).
func (w *wiring) reannounceBurst(ctx context.Context, r *router, cfg desired.Config, vc vrrp.Config, p reconcile.Announce, peer netip.Addr) {
	bctx, done := r.lowerGARP.start(ctx, r.node)
	if bctx == nil {
		return
	}
	defer done()
	vips := w.heldVIPs(bctx, cfg, vc.VIPs)
	if len(vips) == 0 {
		return
	}
	if peer.IsValid() {
		w.log.Warn("vrrp advert of a lower-priority master: announcing the VIPs again (the other router may have moved the neighbours to itself)",
			"instance", r.name, "peer", peer.String(), "vips", len(vips), "repeat", max(p.Repeat, 1), "second_burst_after", p.Delay)
	}
	w.announceBurst(bctx, vips, p)
}

// heldVIPs returns which of vips are on the interfaces cfg puts VIPs on,
// with where each is; a failed read is logged and returns those read.
func (w *wiring) heldVIPs(ctx context.Context, cfg desired.Config, vips []netip.Addr) []reconcile.Address {
	want := map[netip.Addr]bool{}
	for _, a := range vips {
		want[a.Unmap()] = true
	}
	var out []reconcile.Address
	for _, ifname := range vipInterfaces(cfg) {
		rctx, cancel := context.WithTimeout(ctx, resumeRead)
		ps, err := w.listAddrs(rctx, ifname)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				w.log.Warn("read the VIP interface to announce the VIPs again", "interface", ifname, "error", err.Error())
			}
			continue
		}
		for _, p := range ps {
			if want[p.Addr().Unmap()] {
				out = append(out, reconcile.Address{Interface: ifname, Prefix: p})
			}
		}
	}
	return out
}

// garpOf is how instance's VIPs are announced: its garp settings (one
// announcement when it is not in cfg).
func garpOf(cfg desired.Config, instance string) reconcile.Announce {
	for _, v := range cfg.Node.Instances() {
		if v.Name == instance {
			return reconcile.Announce(v.GARP)
		}
	}
	return reconcile.Announce{Repeat: 1}
}
