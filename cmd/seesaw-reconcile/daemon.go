package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/seesaw-lb/seesaw/checks"
	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/internal/gcpolicy"
	"github.com/seesaw-lb/seesaw/reconcile"
)

func runDaemonCmd(args []string, stdout, stderr io.Writer) int {
	gcpolicy.Apply()
	return runDaemonSignals(realDeps(), args, stdout, stderr)
}

// runDaemonSignals runs the daemon until SIGTERM or SIGINT; SIGHUP reloads.
func runDaemonSignals(d deps, args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	return runDaemon(ctx, d, hup, args, stdout, stderr)
}

// daemonFlags are the flags of run.
type daemonFlags struct {
	configDir   string
	resync      time.Duration
	allowDelete bool
	logFormat   string
	backup      bool
	control     string
	metrics     string
}

// runDaemon is the daemon: it reconciles until ctx is done (SIGTERM) and
// then exits 0 leaving the kernel as it is. hup forces a config reload.
func runDaemon(ctx context.Context, d deps, hup <-chan os.Signal, args []string, stdout, stderr io.Writer) int {
	var f daemonFlags
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.StringVar(&f.configDir, "config-dir", defaultConfigDir, "configuration `directory` to watch")
	fs.DurationVar(&f.resync, "resync", 30*time.Second, "full re-read interval when node.resync_interval is unset")
	fs.BoolVar(&f.allowDelete, "allow-mass-delete", false, "apply plans even if they delete most owned services")
	fs.StringVar(&f.logFormat, "log-format", "text", "log format: text or json (journald)")
	fs.BoolVar(&f.backup, "backup", false, "without a vrrp section: run as backup (hold no VIPs), for tests")
	fs.StringVar(&f.metrics, "metrics-address", "", "metrics `address:port` (default: node.metrics_address, else "+desired.DefaultMetricsAddress.String()+"); \"off\" disables")
	fs.StringVar(&f.control, "control-socket", "", "control socket `path` (default: node.control_socket, else "+defaultControlSocket+")")
	if code, done := parseFlags(fs, args, stdout, stderr, "run [flags]",
		"Watch the configuration directory and keep the kernel equal to it."); done {
		return code
	}
	log := newLogger(f.logFormat, stderr)
	if err := serve(ctx, d, f, log, hup); err != nil {
		log.Error("seesaw-reconcile stopped", "error", err.Error())
		return exitFailure
	}
	log.Info("stopped; the kernel is left as it is")
	return exitOK
}

// serve runs every part of the daemon under one errgroup: the config
// watcher and reloader, the reconcile loop, the checks engine, the VRRP
// node and the control socket. The first part to fail stops them all and
// its error is returned; ctx done (SIGTERM) stops them all cleanly: the
// VRRP master sends priority 0, checks stop, the kernel is left as it is.
func serve(ctx context.Context, d deps, f daemonFlags, log *slog.Logger, hup <-chan os.Signal) error {
	w, closeKernel, err := newWiring(d, f, log)
	if err != nil {
		return err
	}
	defer closeKernel()
	watcher, err := reconcile.NewWatcher(f.configDir, reconcile.DefaultDebounce)
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
			return fmt.Errorf("watch configuration %s: %w", f.configDir, err)
		}
		if gctx.Err() == nil {
			return fmt.Errorf("watch configuration %s: the watcher stopped", f.configDir)
		}
		return nil
	})
	g.Go(func() error { reloader(gctx, &reconcile.Loader{Dir: f.configDir}, w, log, reload, hup); return nil })
	g.Go(func() error { return w.runChecks(gctx) })
	g.Go(func() error { return w.runVRRP(gctx) })
	g.Go(func() error {
		if err := w.loop.Run(gctx, f.resync); err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("reconcile loop: %w", err)
		}
		return nil
	})
	g.Go(func() error { return w.followMarks(gctx) })
	g.Go(func() error { return w.runControl(gctx, f.control) })
	g.Go(func() error { return w.runMetrics(gctx, f.metrics) })
	g.Go(func() error { return w.notifyReady(gctx, log) })
	poke()
	log.Info("seesaw-reconcile running", "config_dir", f.configDir)
	return g.Wait()
}

// newWiring opens the kernel and builds the loop, the checks engine and
// the metrics; the VRRP node and the listeners start later, from the first
// valid config.
func newWiring(d deps, f daemonFlags, log *slog.Logger) (*wiring, func(), error) {
	over, err := loadOverrides(f.configDir)
	if err != nil {
		return nil, nil, err
	}
	k, err := d.openKernel()
	if err != nil {
		return nil, nil, fmt.Errorf("open IPVS: %w", err)
	}
	w := &wiring{log: log, dir: f.configDir, listen: d.listenVRRP, sourceFor: d.sourceFor,
		ready: make(chan struct{}), states: map[checks.Key]checks.State{}, over: over}
	w.metrics = newMetrics(w)
	w.engine = checks.New(checks.Options{Logger: log, OnResult: w.metrics.checkDone})
	opts := reconcile.LoopOptions{Kernel: meteredIPVS{IPVS: k, m: w.metrics}, Log: log, Now: d.now,
		AllowMassDelete: f.allowDelete, VIPs: d.vips(log)}
	if sd, ok := k.(reconcile.SyncDaemons); ok {
		opts.SyncDaemons = sd
	}
	closeAll := func() { k.Close() }
	if d.checkSysctls != nil {
		opts.CheckSysctls = d.checkSysctls()
	}
	if d.checkRoutes != nil {
		routes, err := d.checkRoutes()
		if err != nil {
			k.Close()
			return nil, nil, fmt.Errorf("open check routes: %w", err)
		}
		opts.CheckRoutes = routes
		closeAll = func() { routes.Close(); k.Close() }
	}
	w.loop = reconcile.NewLoop(opts)
	w.loop.SetMaster(!f.backup)
	return w, closeAll, nil
}

// reloader loads the configuration on every poke and SIGHUP and hands the
// result to the loop: a valid config goes into force, an invalid one is
// reported while the last valid one keeps running.
func reloader(ctx context.Context, l *reconcile.Loader, w *wiring, log *slog.Logger, reload <-chan struct{}, hup <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-reload:
		case <-hup:
			log.Info("SIGHUP: reloading configuration")
		}
		start := time.Now()
		cfg, parsed, err := l.Load()
		if err != nil {
			w.metrics.reloaded(err)
			w.loop.ConfigError(fmt.Errorf("load %s: %w", l.Dir, err))
			continue
		}
		log.Info("configuration loaded", "files", len(cfg.Files), "reparsed", parsed, "services", len(cfg.Services),
			"load_ms", float64(time.Since(start).Microseconds())/1000)
		err = w.configLoaded(cfg)
		w.metrics.reloaded(err)
		if err != nil {
			w.loop.ConfigError(fmt.Errorf("load %s: %w", l.Dir, err))
		}
	}
}

// newLogger returns a text logger for terminals or a JSON one for journald.
func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}
