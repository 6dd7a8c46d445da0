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

	"github.com/seesaw-lb/seesaw/reconcile"
)

func runDaemonCmd(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	return runDaemon(ctx, realDeps(), hup, args, stdout, stderr)
}

// daemonFlags are the flags of run.
type daemonFlags struct {
	configDir   string
	resync      time.Duration
	allowDelete bool
	logFormat   string
	backup      bool
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
	fs.BoolVar(&f.backup, "backup", false, "run as VRRP backup (hold no VIPs) until the VRRP node is wired in")
	if code, done := parseFlags(fs, args, stdout, stderr, "run [flags]",
		"Watch the configuration directory and keep the kernel equal to it."); done {
		return code
	}
	log := newLogger(f.logFormat, stderr)
	k, err := d.openKernel()
	if err != nil {
		log.Error("open IPVS", "error", err.Error())
		return exitFailure
	}
	defer k.Close()
	opts := reconcile.LoopOptions{Kernel: k, Log: log, Now: d.now, AllowMassDelete: f.allowDelete, VIPs: d.vips(log)}
	if sd, ok := k.(reconcile.SyncDaemons); ok {
		opts.SyncDaemons = sd
	}
	loop := reconcile.NewLoop(opts)
	loop.SetMaster(!f.backup)
	w, err := reconcile.NewWatcher(f.configDir, reconcile.DefaultDebounce)
	if err != nil {
		log.Error("watch configuration", "error", err.Error())
		return exitFailure
	}
	reload := make(chan struct{}, 1)
	poke := func() {
		select {
		case reload <- struct{}{}:
		default:
		}
	}
	go w.Run(ctx, poke, func(err error) { log.Error("watch configuration", "error", err.Error()) })
	go reloader(ctx, &reconcile.Loader{Dir: f.configDir}, loop, log, reload, hup)
	poke()
	log.Info("seesaw-reconcile running", "config_dir", f.configDir)
	if err := loop.Run(ctx, f.resync); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("reconcile loop", "error", err.Error())
		return exitFailure
	}
	log.Info("stopping; the kernel is left as it is")
	return exitOK
}

// reloader loads the configuration on every poke and SIGHUP and hands the
// result to the loop: a valid config goes into force, an invalid one is
// reported while the last valid one keeps running.
func reloader(ctx context.Context, l *reconcile.Loader, loop *reconcile.Loop, log *slog.Logger, reload <-chan struct{}, hup <-chan os.Signal) {
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
			loop.ConfigError(fmt.Errorf("load %s: %w", l.Dir, err))
			continue
		}
		log.Info("configuration loaded", "files", len(cfg.Files), "reparsed", parsed, "services", len(cfg.Services),
			"load_ms", float64(time.Since(start).Microseconds())/1000)
		loop.SetConfig(cfg)
	}
}

// newLogger returns a text logger for terminals or a JSON one for journald.
func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}
