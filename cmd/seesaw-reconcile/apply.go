package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/seesaw-lb/seesaw/kernel"
)

func runApplyCmd(args []string, stdout, stderr io.Writer) int {
	return runApply(realDeps(), args, stdout, stderr)
}

// runApply computes the plan, prints it and applies it once: exit 0 nothing
// to do, 2 changes applied, 1 error (a failed op, a held plan).
func runApply(d deps, args []string, stdout, stderr io.Writer) int {
	var pf planFlags
	fs := flag.NewFlagSet("apply", flag.ContinueOnError)
	pf.register(fs)
	once := fs.Bool("once", false, "apply one plan and exit (required: the daemon is `run`)")
	if code, done := parseFlags(fs, args, stdout, stderr, "apply --once [flags]",
		"Apply the plan once. Exit 0: nothing to do, 2: changes applied, 1: error."); done {
		return min(code, exitError)
	}
	if !*once {
		fmt.Fprintln(stderr, "apply: --once is required (the continuous daemon is `seesaw-reconcile run`)")
		return exitError
	}
	out, c, code := showPlan(d, pf, "apply", stdout, stderr)
	if c != nil {
		defer c.Close()
	}
	if code >= 0 {
		return code
	}
	if out.Plan.Held {
		fmt.Fprintf(stderr, "apply: %v: %s\n", errHeld, out.Plan.HeldReason)
		return exitError
	}
	if out.Plan.Empty() {
		return exitNoChanges
	}
	return applyOps(c, out.Plan.Ops(), stderr)
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
