package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/internal/daemon"
	"github.com/seesaw-lb/seesaw/kernel"
)

func runApplyCmd(args []string, stdout, stderr io.Writer) int {
	return runApply(realDeps(), args, stdout, stderr)
}

// runApply applies the files on disk: through the running daemon (it
// reloads and this waits for the round), or with --once and no daemon
// running, by computing the plan, printing it and applying it once. Exit 0
// nothing to do, 2 changes applied, 1 error (a failed op, a held plan, an
// invalid config).
func runApply(d deps, args []string, stdout, stderr io.Writer) int {
	var pf planFlags
	fs := flag.NewFlagSet("apply", flag.ContinueOnError)
	pf.register(fs, d)
	once := fs.Bool("once", false, "without a daemon: compute the plan, apply it once and exit (refused while a daemon answers on --socket)")
	timeout := fs.Duration("timeout", 2*time.Minute, "with a daemon: how long to wait for the round that applies the files")
	if code, done := parseFlags(fs, args, stdout, stderr, "apply [--once] [flags]",
		"With the daemon running: ask it to reload the configuration, wait for the round that applies\n"+
			"it and print that round's operations. Without a daemon: apply --once.\n"+
			"Exit 0: nothing to do, 2: changes applied, 1: error (held, rejected, failed)."); done {
		return min(code, exitError)
	}
	if !*once {
		return applyThroughDaemon(pf, fs, *timeout, stdout, stderr)
	}
	pf.noteSet(fs)
	if cfg, err := desired.Load(pf.configDir); err == nil { // else showPlan reports it
		pf.socket = socketOf(pf, cfg)
	}
	if msg, running := daemonRunning(pf); running {
		fmt.Fprintf(stderr, "apply --once: refused: %s; two writers would race for the kernel. "+
			"Run `seesaw-reconcile apply` to have the daemon apply the files, or stop the daemon first\n", msg)
		return exitError
	}
	pf.withoutDaemon, pf.ipvsOnly = true, true
	v, c, code := showPlan(d, pf, "apply", stdout, stderr)
	if c != nil {
		defer c.Close()
	}
	if code >= 0 {
		return code
	}
	if v.Plan.Held {
		fmt.Fprintf(stderr, "apply: %v: %s\n", errHeld, v.Plan.HeldReason)
		return exitError
	}
	if v.Plan.Empty() && len(v.Preview.Settings) == 0 {
		return exitNoChanges
	}
	code = exitChanges
	if !v.Plan.Empty() {
		code = applyOps(c, v.Plan.Ops(), stderr)
	}
	if n := applySettings(d, c, v.Preview.Settings, stderr); n > 0 {
		fmt.Fprintf(stderr, "apply: %d of %d node settings failed\n", n, len(v.Preview.Settings))
		code = exitError
	}
	return code
}

// daemonRunning reports whether a daemon answers on pf.socket (or is
// there but refuses to talk), with what to say about it.
func daemonRunning(pf planFlags) (string, bool) {
	_, err := daemon.NewClient(pf.socket).Status()
	switch {
	case errors.Is(err, daemon.ErrNoDaemon):
		return "", false
	case err != nil:
		return fmt.Sprintf("a daemon is listening on %s (%v)", pf.socket, err), true
	}
	return "a daemon is running on " + pf.socket, true
}

// applyThroughDaemon asks the daemon to apply the files and prints the
// outcome of its round.
func applyThroughDaemon(pf planFlags, fs *flag.FlagSet, timeout time.Duration, stdout, stderr io.Writer) int {
	var refused string
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "config-dir", "allow-mass-delete", "backup", "without-daemon":
			refused = f.Name
		}
	})
	if refused != "" {
		fmt.Fprintf(stderr, "apply: --%s applies to apply --once only; the daemon applies its own configuration directory with its own flags\n", refused)
		return exitError
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	res, err := daemon.NewClient(pf.socket).Apply(ctx)
	if errors.Is(err, daemon.ErrNoDaemon) {
		fmt.Fprintf(stderr, "apply: no daemon answered on %s: start it (seesaw-reconcile run), or apply without one: seesaw-reconcile apply --once\n", pf.socket)
		return exitError
	}
	if err != nil {
		fmt.Fprintf(stderr, "apply: %v\n", err)
		return exitError
	}
	return reportApply(res, stdout, stderr)
}

// reportApply prints the round's operations and outcome and maps it to the
// exit code.
func reportApply(res daemon.ApplyResult, stdout, stderr io.Writer) int {
	for _, line := range res.Ops {
		fmt.Fprintln(stdout, line)
	}
	switch res.Outcome {
	case daemon.ApplyRejected:
		fmt.Fprintf(stderr, "apply: the daemon rejected the configuration; generation %d keeps running:\n%s\n", res.Generation, res.Error)
		return exitError
	case daemon.ApplyHeld:
		fmt.Fprintf(stdout, "HELD BACK: %s\n", res.Held)
		fmt.Fprintf(stderr, "apply: generation %d: %v; %d operations applied\n", res.Generation, errHeld, res.Applied)
		return exitError
	case daemon.ApplyFailed:
		fmt.Fprintf(stderr, "apply: generation %d: %d operations applied, %d failed: %s (the daemon retries with backoff)\n",
			res.Generation, res.Applied, res.Failed, res.Error)
		return exitError
	case daemon.ApplyApplied:
		if !res.Changed() {
			fmt.Fprintf(stdout, "Applied generation %d: no changes: the kernel matches the configuration.\n", res.Generation)
			return exitNoChanges
		}
		fmt.Fprintf(stdout, "Applied generation %d: %d operations.\n", res.Generation, res.Applied)
		return exitChanges
	}
	fmt.Fprintf(stderr, "apply: unknown outcome %q from the daemon\n", res.Outcome)
	return exitError
}

// applyOps applies ops and reports every failure; any failure is exit 1.
func applyOps(c kernel.IPVS, ops []kernel.Op, stderr io.Writer) int {
	res, err := c.Apply(context.Background(), ops)
	if err != nil {
		fmt.Fprintf(stderr, "apply: %v\n", err)
		return exitError
	}
	failed := 0
	for _, r := range res {
		if r.Err != nil {
			failed++
			fmt.Fprintf(stderr, "apply: %v\n", r.Err)
		}
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "apply: %d of %d operations failed\n", failed, len(ops))
		return exitError
	}
	return exitChanges
}
