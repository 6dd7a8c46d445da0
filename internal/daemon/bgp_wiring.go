package daemon

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"sync"

	"github.com/seesaw-lb/seesaw/bgp"
	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/internal/statefile"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// nodeDrainedFile, in the state directory, marks a node drained by hand
// (drain-node): it survives a restart, so a node under maintenance does not
// announce its VIPs again when the daemon comes back.
const nodeDrainedFile = "node-drained"

// bgpRunner follows the loop's rounds and keeps the BGP speaker
// announcing what reconcile.BGPRoutes decides.
type bgpRunner struct {
	feed      *roundFeed
	poke      chan struct{} // drain-node and undrain-node
	drainPath string

	mu          sync.Mutex
	drained     bool
	routes      []reconcile.VIPRoute // the last verdicts
	transitions map[netip.Prefix]uint64
	speaker     *bgp.Speaker // nil while none runs
}

// newBGPRunner reads the node drain mark from stateDir.
func newBGPRunner(stateDir string, log *slog.Logger) *bgpRunner {
	r := &bgpRunner{feed: newRoundFeed(), poke: make(chan struct{}, 1), drainPath: filepath.Join(stateDir, nodeDrainedFile),
		transitions: map[netip.Prefix]uint64{}}
	if _, err := os.Stat(r.drainPath); err == nil {
		r.drained = true
		log.Warn("node drained by hand: no BGP route is announced until undrain-node", "mark", r.drainPath)
	}
	return r
}

// setDrained records drain-node (true) or undrain-node (false) in the
// state directory, then has the speaker follow.
func (r *bgpRunner) setDrained(drained bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if drained {
		if err := os.MkdirAll(filepath.Dir(r.drainPath), 0o755); err != nil {
			return fmt.Errorf("drain node: create state directory: %w", err)
		}
		if err := statefile.Write(r.drainPath, []byte("drained by hand: seesaw-reconcile undrain-node\n"), 0o644); err != nil {
			return fmt.Errorf("drain node: write %s: %w", r.drainPath, err)
		}
	} else if err := os.Remove(r.drainPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("undrain node: remove %s: %w", r.drainPath, err)
	}
	r.drained = drained
	select {
	case r.poke <- struct{}{}:
	default:
	}
	return nil
}

// verdicts computes this round's routes and keeps them for status.
func (r *bgpRunner) verdicts(cfg desired.Config, st reconcile.Status) []reconcile.VIPRoute {
	r.mu.Lock()
	defer r.mu.Unlock()
	prev := map[netip.Prefix]bool{}
	for _, rt := range r.routes {
		prev[rt.Prefix] = rt.Announce
	}
	r.routes = reconcile.BGPRoutes(reconcile.BGPInputs{Config: cfg, Services: st.Services,
		Healthy: nodeServes(st), Drained: r.drained, Held: reconcile.HeldVIPsOf(st.Addresses)})
	for _, rt := range r.routes {
		if rt.Announce != prev[rt.Prefix] {
			r.transitions[rt.Prefix]++
		}
	}
	return r.routes
}

// nodeServes reports whether the last round planned against the kernel: a
// round has run and, if it failed, it got as far as reading the table (a
// round that cannot read it reports no services). A round whose failure is
// one op, or the VIP addresses, does not withdraw every VIP: the same
// config fails alike on every node, and withdrawing everywhere would turn
// one broken service into an outage of all of them.
func nodeServes(st reconcile.Status) bool {
	return !st.LastRound.IsZero() && (st.Error == "" || st.Services != nil)
}

// setSpeaker records the running speaker (nil: none) for status and metrics.
func (r *bgpRunner) setSpeaker(sp *bgp.Speaker) {
	r.mu.Lock()
	r.speaker = sp
	r.mu.Unlock()
}

// runBGP runs the BGP speaker of node.bgp until ctx is done: after every
// round (and drain-node) it announces the routes BGPRoutes gives; a
// changed node.bgp restarts the speaker. When ctx ends it withdraws every
// route and waits node.bgp.shutdown_grace before closing the sessions, so
// the daemon exits only after the routers moved new flows away.
func (w *wiring) runBGP(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case <-w.ready:
	}
	var sp *bgp.Speaker
	var running *desired.BGP
	for {
		select {
		case <-ctx.Done():
			w.bgp.setSpeaker(nil)
			if sp != nil {
				w.log.Info("withdrawing BGP routes before exit", "grace", running.ShutdownGrace)
				if err := sp.Stop(context.Background(), running.ShutdownGrace); err != nil {
					w.log.Error("stop BGP speaker", "error", err.Error())
				}
			}
			return nil
		case <-w.bgp.feed.ready():
		case <-w.bgp.poke:
		}
		w.mu.Lock()
		cfg := w.cfg
		w.mu.Unlock()
		if !reflect.DeepEqual(cfg.Node.BGP, running) {
			w.bgp.setSpeaker(nil)
			sp, running = w.restartBGP(ctx, sp, cfg.Node.BGP)
			w.bgp.setSpeaker(sp)
		}
		routes := w.bgp.verdicts(cfg, w.bgp.feed.take())
		if sp == nil {
			continue
		}
		if err := sp.Announce(reconcile.AnnouncedPrefixes(routes)); err != nil {
			w.log.Error("announce BGP routes", "error", err.Error())
		}
	}
}

// restartBGP stops the running speaker (withdrawing at once) and starts
// one for b; on failure it returns no speaker and a nil config, so the
// next round tries again.
func (w *wiring) restartBGP(ctx context.Context, sp *bgp.Speaker, b *desired.BGP) (*bgp.Speaker, *desired.BGP) {
	if sp != nil {
		w.log.Info("node.bgp changed: restarting the BGP speaker")
		if err := sp.Stop(ctx, 0); err != nil {
			w.log.Error("stop BGP speaker", "error", err.Error())
		}
	}
	if b == nil {
		return nil, nil
	}
	next, err := bgp.Start(ctx, bgpConfig(b), w.log)
	if err != nil {
		w.log.Error("start BGP speaker; retrying after the next round", "error", err.Error())
		return nil, nil
	}
	w.log.Info("BGP speaker started", "asn", b.ASN, "router_id", b.RouterID, "peers", len(b.Peers))
	return next, b
}
