package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// Exit codes of plan (--dry-run) and apply, like terraform plan
// -detailed-exitcode: usage mistakes are errors (1) here, because 2 means
// "changes".
const (
	exitNoChanges = 0
	exitError     = 1
	exitChanges   = 2
)

// deps are what plan and apply need from the outside world; tests replace
// them (a fake kernel, a fixed clock).
type deps struct {
	openKernel func() (kernel.IPVS, error)
	now        func() time.Time
	isTerminal func(w io.Writer) bool
}

// realDeps opens the kernel of the current network namespace.
func realDeps() deps {
	return deps{
		openKernel: func() (kernel.IPVS, error) { return kernel.Dial(kernel.Options{}) },
		now:        time.Now,
		isTerminal: isTerminal,
	}
}

// isTerminal reports whether w is a character device (and NO_COLOR is unset).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// planFlags are the flags plan and apply share.
type planFlags struct {
	configDir   string
	output      string
	color       string
	allowDelete bool
	backup      bool
}

func (p *planFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.configDir, "config-dir", defaultConfigDir, "configuration `directory`")
	fs.StringVar(&p.output, "output", "text", "plan format: text or json")
	fs.StringVar(&p.color, "color", "auto", "colour the text plan: auto (on a terminal), always, never")
	fs.BoolVar(&p.allowDelete, "allow-mass-delete", false, "apply a plan even if it deletes more than node.mass_delete.max_share of the owned services")
	fs.BoolVar(&p.backup, "backup", false, "plan as a VRRP backup (no VIP addresses); default: as master")
}

// dryRunArgs recognizes the spellings `--dry-run [flags]` (anywhere among
// the top-level arguments) and `dry-run [flags]` and returns the remaining
// arguments for the plan command.
func dryRunArgs(args []string) ([]string, bool) {
	if len(args) > 0 && args[0] == "dry-run" {
		return args[1:], true
	}
	for i, a := range args {
		if a == "--dry-run" || a == "-dry-run" {
			return append(append([]string{}, args[:i]...), args[i+1:]...), true
		}
	}
	return nil, false
}

func runPlanCmd(args []string, stdout, stderr io.Writer) int {
	return runPlan(realDeps(), args, stdout, stderr)
}

// runPlan reads the config and the live kernel and prints the plan:
// exit 0 nothing to do, 2 changes, 1 error.
func runPlan(d deps, args []string, stdout, stderr io.Writer) int {
	var pf planFlags
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	pf.register(fs)
	if code, done := parseFlags(fs, args, stdout, stderr, "plan|--dry-run [flags]",
		"Print what apply would change in the kernel. Exit 0: nothing to do, 2: changes, 1: error."); done {
		return min(code, exitError)
	}
	out, c, code := showPlan(d, pf, "plan", stdout, stderr)
	if c != nil {
		defer c.Close()
	}
	if code >= 0 {
		return code
	}
	return planExit(out.Plan)
}

// showPlan computes the plan and prints it to stdout. It returns code -1 on
// success, else the exit code after reporting the error; the caller closes
// the kernel when it is not nil.
func showPlan(d deps, pf planFlags, cmd string, stdout, stderr io.Writer) (reconcile.Outcome, kernel.IPVS, int) {
	out, c, code := preparePlan(d, pf, stderr)
	if code >= 0 {
		return out, c, code
	}
	if err := render(d, pf, out.Plan, stdout); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
		return out, c, exitError
	}
	return out, c, -1
}

// preparePlan loads the config, reads the kernel and computes the plan. It
// returns code -1 on success, else the exit code after reporting the error.
func preparePlan(d deps, pf planFlags, stderr io.Writer) (reconcile.Outcome, kernel.IPVS, int) {
	if pf.output != "text" && pf.output != "json" {
		fmt.Fprintf(stderr, "--output %q: want text or json\n", pf.output)
		return reconcile.Outcome{}, nil, exitError
	}
	cfg, err := desired.Load(pf.configDir)
	if err != nil {
		fmt.Fprintf(stderr, "load configuration %s:\n%v\n", pf.configDir, err)
		return reconcile.Outcome{}, nil, exitError
	}
	c, err := d.openKernel()
	if err != nil {
		fmt.Fprintf(stderr, "open IPVS: %v\n", err)
		return reconcile.Outcome{}, nil, exitError
	}
	live, err := c.Snapshot(context.Background())
	if err != nil {
		fmt.Fprintf(stderr, "read IPVS table: %v\n", err)
		return reconcile.Outcome{}, c, exitError
	}
	out := reconcile.Compute(live, reconcile.Inputs{Config: cfg, Master: !pf.backup, Now: d.now(), AllowMassDelete: pf.allowDelete})
	return out, c, -1
}

func render(d deps, pf planFlags, p reconcile.Plan, w io.Writer) error {
	if pf.output == "json" {
		return reconcile.RenderJSON(w, p)
	}
	color := pf.color == "always" || (pf.color == "auto" && d.isTerminal(w))
	return reconcile.RenderText(w, p, color)
}

// planExit maps a plan to the exit code: a held plan is an error.
func planExit(p reconcile.Plan) int {
	switch {
	case p.Held:
		return exitError
	case p.Empty():
		return exitNoChanges
	}
	return exitChanges
}

// errHeld is reported when the mass-delete guard holds a plan back.
var errHeld = errors.New("plan held back by the mass-delete guard")
