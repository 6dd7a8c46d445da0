package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/netip"
	"reflect"
	"sync"

	"github.com/seesaw-lb/seesaw/checks"
	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/reconcile"
	"github.com/seesaw-lb/seesaw/vrrp"
)

// wiring connects the parts of the daemon: each valid config goes to the
// checks engine and the loop (with the drain overrides applied), check
// state changes become the loop's health, VRRP events its mastership, and
// the loop's watermark status the VRRP priority penalty.
type wiring struct {
	log    *slog.Logger
	loop   *reconcile.Loop
	engine *checks.Engine
	listen func(vrrp.Config) (vrrp.Conn, error)
	// sourceFor is the source address towards a backend (dsr/tunnel checks).
	sourceFor func(netip.Addr) (netip.Addr, error)
	metrics   *metrics
	traffic   *traffic // the kernel's counters for metrics and status

	ready    chan struct{} // closed when the first valid config is in force
	firstOne sync.Once

	// The loop's rounds (onRound): roundDone is closed after the first.
	roundDone  chan struct{}
	firstRound sync.Once
	marksFeed  *roundFeed   // followed by followMarks
	trackFeed  *roundFanout // followed by track, once per router
	roundsSeen *roundLog    // waited on by apply requests (control_apply.go)
	// reloads are the apply requests' full reloads, served by the reloader.
	reloads chan reloadRequest

	mu      sync.Mutex
	raw     desired.Config // the last valid config as loaded
	haveRaw bool
	cfg     desired.Config // raw with the overrides applied
	plan    checkPlan
	states  map[checks.Key]checks.State
	marks   reconcile.CheckMarks // the check-service marks the plan was built with
	over    overrides
	// instances are the running virtual routers by instance name
	// (vrrp_instances.go).
	instances map[string]*instanceView
	// masterTurn serialises the loop's mastership (release.go).
	masterTurn mastership
	// sendConns hands a leaving Master's connections to the peer
	// (connsync_linux.go; nil: none); handoffs are those still running.
	sendConns func(desired.Config, desired.SyncDaemon) (sent, skipped int, err error)
	handoffs  handoffs
	// listAddrs reads an interface's addresses (nil: none read);
	// resumed are the VRRP instances whose VIPs were held at start and
	// whose routers start as Master (resume.go), under mu.
	listAddrs func(ctx context.Context, ifname string) ([]netip.Prefix, error)
	resumed   map[string][]reconcile.Address
	// announce sends a GARP / NA for an address (nil: none sent).
	announce func(ctx context.Context, ifname string, a netip.Addr) error
	// vrrpChanged wakes runVRRP after each config load, routerExit when a
	// router's node stops (vrrp_run.go).
	vrrpChanged, routerExit kick
	metricsAt               string // the metrics listener's address, once listening

	overFile *overridesStore // the overrides file; its lock is taken before mu
	degraded degradedParts
	// adoptedLive is the table read at start, until the first valid config
	// turns it into adopted: the verdicts read back from it, down ones kept
	// until their backends' checks rise (holdAdopted).
	adoptedLive *kernel.Snapshot
	adopted     reconcile.Health
	bgp         *bgpRunner // node.bgp's speaker (bgp_wiring.go)
	hooks       *hookFeed  // node.notify's hooks (hooks.go)
	host        *hostChecks
}

// configLoaded puts a valid config into force: the checks first (an engine
// that rejects it keeps the old config everywhere), then health, then the
// loop's config.
func (w *wiring) configLoaded(cfg desired.Config) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.configLoadedLocked(cfg)
}

// configLoadedLocked is configLoaded with w.mu held.
func (w *wiring) configLoadedLocked(cfg desired.Config) error {
	eff := applyOverrides(cfg, w.over)
	w.adoptLocked(eff)
	plan, err := w.updateChecksLocked(eff)
	if err != nil {
		return err
	}
	w.raw, w.haveRaw, w.cfg = cfg, true, eff
	w.hooks.configure(cfg)
	w.host.update(eff, w.log)
	w.firstOne.Do(func() {
		if cfg.Node.VRRP != nil {
			w.loop.SetMaster(false) // until the VRRP node says otherwise
			w.resumed = w.resumedInstances(eff)
			for name := range w.resumed {
				w.loop.SetInstanceMaster(name, true) // held since the last run (resume.go)
			}
		}
		close(w.ready)
	})
	w.vrrpChanged.poke()
	w.loop.SetHealth(w.healthLocked(plan))
	w.loop.SetConfig(eff)
	return nil
}

// setOverrides stores o and re-applies the last valid config with it, in
// one critical section: a config loaded meanwhile is never replaced by the
// older one, and o is never lost to a concurrent load.
func (w *wiring) setOverrides(o overrides) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.over = o
	if !w.haveRaw {
		return nil
	}
	return w.configLoadedLocked(w.raw)
}

// runChecks feeds check state changes to the loop until the engine stops.
func (w *wiring) runChecks(ctx context.Context) error {
	go w.engine.Run(ctx)
	for batch := range w.engine.Events() {
		w.mu.Lock()
		for _, ev := range batch {
			if _, ok := w.plan.Backends[ev.Key]; ok {
				w.states[ev.Key] = ev.State
			}
		}
		// Under the lock, so a verdict from an older plan never overtakes
		// the health configLoaded sends with a newer one.
		w.loop.SetHealth(w.healthLocked(w.plan))
		w.mu.Unlock()
	}
	if ctx.Err() == nil {
		return errors.New("health checks: the engine stopped")
	}
	return nil
}

// track lowers the VRRP priority of r's instance while its tracked
// services are down in the latest round; tracked interfaces are followed by
// the node itself. Each router follows its own feed of the rounds.
func (w *wiring) track(ctx context.Context, r *router) {
	feed := w.trackFeed.subscribe()
	defer w.trackFeed.unsubscribe(feed)
	last := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-feed.ready():
		}
		st := feed.take()
		w.mu.Lock()
		cfg := w.cfg
		w.mu.Unlock()
		if p := servicePenaltyOf(cfg, r.name, st.Services); p != last {
			w.log.Info("vrrp priority penalty from tracked services", "instance", r.name, "penalty", p)
			r.node.SetPriorityPenalty(p)
			last = p
		}
	}
}

// followMarks rebuilds the check list when a round changes the check-service
// marks (a dsr/tunnel check's backend gets its mark in the round that adds
// its check service).
func (w *wiring) followMarks(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-w.marksFeed.ready():
		}
		marks := w.marksFeed.take().CheckMarks
		w.mu.Lock()
		if !w.haveRaw || reflect.DeepEqual(marks, w.marks) {
			w.mu.Unlock()
			continue
		}
		w.marks = marks
		w.mu.Unlock()
		if err := w.replan(); err != nil {
			w.log.Error("health checks for the new check-service marks", "error", err.Error())
		}
	}
}

// replan rebuilds the checks of the config in force with the current marks.
func (w *wiring) replan() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	plan, err := w.updateChecksLocked(w.cfg)
	if err != nil {
		return err
	}
	w.loop.SetHealth(w.healthLocked(plan))
	return nil
}

// updateChecksLocked builds the checks of cfg with the current marks and
// hands them to the engine; on success they are the plan in force, and the
// states of vanished checks are dropped. w.mu is held.
func (w *wiring) updateChecksLocked(cfg desired.Config) (checkPlan, error) {
	plan, err := planChecks(cfg, w.marks, checkIO{readFile: cfg.Node.Limits.ReadFile, sourceFor: w.sourceFor, adopted: w.adopted})
	if err != nil {
		return checkPlan{}, err
	}
	if err := w.engine.Update(plan.Checks); err != nil {
		return checkPlan{}, fmt.Errorf("health checks: %w", err)
	}
	if len(plan.Skipped) > 0 {
		w.log.Info("dsr/tunnel checks wait for their check-service marks", "checks", len(plan.Skipped), "first", plan.Skipped[0])
	}
	maps.DeleteFunc(w.states, func(k checks.Key, _ checks.State) bool { _, ok := plan.Backends[k]; return !ok })
	w.plan = plan
	return plan, nil
}

// healthLocked is the loop's health under plan: the checks' verdicts, with
// the backends adopted down held down until their checks rise; w.mu is held.
func (w *wiring) healthLocked(plan checkPlan) reconcile.Health {
	h := healthOf(plan, w.states)
	holdAdopted(h, w.adopted, plan.Waiting)
	return h
}
