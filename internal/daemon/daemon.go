package daemon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"golang.org/x/sync/errgroup"

	"github.com/seesaw-lb/seesaw/checks"
	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/internal/hooks"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// RunWithSignals runs the daemon until SIGTERM or SIGINT; SIGHUP reloads
// the configuration. It returns nil after a signal, else the error that
// stopped the daemon.
func RunWithSignals(o Options) error {
	return runWithSignals(systemDeps(), o)
}

// runWithSignals is RunWithSignals with d.
func runWithSignals(d deps, o Options) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	return run(ctx, d, hup, o)
}

// Run is the daemon: it reconciles the kernel of the current network
// namespace until ctx is done and then returns nil, leaving IPVS as it is
// (a VRRP master gives its VIPs up first). A value on hup forces a config
// reload. Any other end is an error, which Run logs and returns.
func Run(ctx context.Context, o Options, hup <-chan os.Signal) error {
	return run(ctx, systemDeps(), hup, o)
}

// run is Run with d.
func run(ctx context.Context, d deps, hup <-chan os.Signal, f Options) error {
	if f.Log == nil {
		f.Log = slog.Default()
	}
	log := f.Log
	if err := serve(ctx, d, f, log, hup); err != nil {
		log.Error("seesaw-reconcile stopped", "error", err.Error())
		return err
	}
	log.Info("stopped; IPVS is left as it is")
	return nil
}

// serve runs every part of the daemon under one errgroup: the config
// watcher and reloader, the reconcile loop, the checks engine, the VRRP
// node and the control socket. The first part to fail stops them all and
// its error is returned; ctx done (SIGTERM) stops them all cleanly: a
// VRRP master removes its VIPs and then sends priority 0, and the checks
// and the loop, which outlive the VRRP node, stop after it, the loop
// leaving IPVS as it is.
func serve(ctx context.Context, d deps, f Options, log *slog.Logger, hup <-chan os.Signal) error {
	w, closeKernel, err := newWiring(ctx, d, f, log)
	if err != nil {
		return err
	}
	defer closeKernel()
	watcher, err := reconcile.NewWatcher(f.ConfigDir, reconcile.DefaultDebounce)
	if err != nil {
		return fmt.Errorf("watch configuration: %w", err)
	}
	g, gctx := errgroup.WithContext(ctx)
	reload := make(chan struct{}, 1)
	poke := func() {
		select {
		case reload <- struct{}{}:
		default:
		}
	}
	g.Go(func() error {
		err := watcher.Run(gctx, poke, func(err error) { log.Error("watch configuration", "error", err.Error()) })
		if err != nil {
			return fmt.Errorf("watch configuration %s: %w", f.ConfigDir, err)
		}
		if gctx.Err() == nil {
			return fmt.Errorf("watch configuration %s: the watcher stopped", f.ConfigDir)
		}
		return nil
	})
	g.Go(func() error {
		reloader(gctx, &desired.Loader{Dir: f.ConfigDir}, w, log, reload, hup, watcher.Also)
		return nil
	})
	// The loop outlives the VRRP node: a Master that stops removes its VIPs
	// through the loop (release.go) before its priority-0 advert. The
	// checks stop after it too (stoporder.go).
	vrrpDone := make(chan struct{})
	checksCtx, stopChecks := afterVRRP(ctx, gctx, vrrpDone)
	defer stopChecks()
	g.Go(func() error { return w.runChecks(checksCtx) })
	loopCtx, stopLoop := context.WithCancel(context.WithoutCancel(gctx))
	defer stopLoop()
	g.Go(func() error { defer close(vrrpDone); return w.runVRRP(gctx) })
	g.Go(func() error {
		<-gctx.Done()
		<-vrrpDone
		w.handoffs.wait(handoffExitBound, log) // the peer gets the connections before the exit
		w.closeHooks()                         // the VRRP node's "stop" runs before the exit
		stopLoop()
		return nil
	})
	g.Go(func() error {
		if err := w.loop.Run(loopCtx, f.Resync); err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("reconcile loop: %w", err)
		}
		return nil
	})
	g.Go(func() error { return w.followMarks(gctx) })
	g.Go(func() error { return w.runControl(gctx, f.ControlSocket, f.ControlGroup) })
	g.Go(func() error { return w.runBGP(gctx) })
	g.Go(func() error { return w.runMetrics(gctx, f.MetricsAddress) })
	g.Go(func() error { return w.notifyReady(gctx, log) })
	poke()
	log.Info("seesaw-reconcile running", "config_dir", f.ConfigDir)
	return g.Wait()
}

// newWiring opens the kernel, reads the table it adopts (readAdopted) and
// builds the loop, the checks engine and the metrics; the VRRP node and the
// listeners start later, from the first valid config.
func newWiring(ctx context.Context, d deps, f Options, log *slog.Logger) (*wiring, func(), error) {
	k, err := d.openKernel()
	if err != nil {
		return nil, nil, fmt.Errorf("open IPVS: %w", err)
	}
	w := &wiring{log: log, listen: d.listenVRRP, sourceFor: d.sourceFor,
		sendConns: d.handoff, listAddrs: d.listAddrs, announce: d.announce,
		ready: make(chan struct{}), states: map[checks.Key]checks.State{},
		roundDone: make(chan struct{}), marksFeed: newRoundFeed(), trackFeed: newRoundFanout(),
		roundsSeen: newRoundLog(), reloads: make(chan reloadRequest),
		masterTurn: newMastership(), vrrpChanged: newKick(), routerExit: newKick(),
		overFile: &overridesStore{path: filepath.Join(cmp.Or(f.StateDir, DefaultStateDir), overridesFile)}}
	w.traffic = &traffic{k: k}
	w.bgp = newBGPRunner(cmp.Or(f.StateDir, DefaultStateDir), log)
	w.hooks = newHookFeed(hooks.New(hooks.Options{Log: log}))
	w.host = &hostChecks{sys: d.sysctls}
	closeAll := func() { k.Close() }
	if tk, err := d.openKernel(); err == nil {
		// A socket of its own: a scrape's dump never delays the loop's writes.
		w.traffic.k = tk
		closeAll = func() { tk.Close(); k.Close() }
	} else {
		log.Warn("traffic counters share the loop's IPVS socket", "error", err.Error())
	}
	w.adoptedLive = readAdopted(ctx, k, log)
	w.metrics = newMetrics(w)
	w.loadOverrides(f.ConfigDir)
	w.engine = checks.New(checks.Options{Logger: log, OnResult: w.metrics.checkDone})
	opts := reconcile.LoopOptions{Kernel: meteredIPVS{IPVS: k, m: w.metrics}, Log: log, Now: d.now,
		AllowMassDelete: f.AllowMassDelete, VIPs: d.vips(log), OnRound: w.onRound, Adopted: w.adoptedLive}
	if sd, ok := k.(reconcile.SyncDaemons); ok {
		opts.SyncDaemons = sd
	}
	if d.checkSysctls != nil {
		opts.CheckSysctls = d.checkSysctls()
	}
	opts.Settings = nodeSettings(k, d.sysctls)
	if d.checkRoutes != nil {
		routes, err := d.checkRoutes()
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("open check routes: %w", err)
		}
		opts.CheckRoutes = routes
		closeKernels := closeAll
		closeAll = func() { routes.Close(); closeKernels() }
	}
	w.loop = reconcile.NewLoop(opts)
	w.loop.SetMaster(!f.Backup)
	return w, closeAll, nil
}
