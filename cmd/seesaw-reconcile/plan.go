package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/internal/daemon"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/checkpath"
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

// deps are what plan, apply and diff need from the outside world; tests
// replace them (a fake kernel, a fixed clock, a fake daemon).
type deps struct {
	openKernel func() (kernel.IPVS, error)
	now        func() time.Time
	isTerminal func(w io.Writer) bool
	// socket is the default of --socket: the running daemon's control socket.
	socket string
	// listAddresses returns the addresses of each of ifnames (the VIP
	// preview of plan).
	listAddresses func(ctx context.Context, ifnames []string) (map[string][]netip.Prefix, error)
	// sysctls are read (plan) and written (apply --once) for node.ipvs's
	// sysctls; nil: not previewed.
	sysctls checkpath.Sysctls
}

// realDeps opens the kernel of the current network namespace.
func realDeps() deps {
	return deps{
		openKernel:    func() (kernel.IPVS, error) { return kernel.Dial(kernel.Options{}) },
		now:           time.Now,
		isTerminal:    isTerminal,
		socket:        daemon.DefaultControlSocket,
		listAddresses: listAddresses,
		sysctls:       checkpath.ProcSysctls{},
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
	configDir     string
	output        string
	color         string
	allowDelete   bool
	backup        bool
	socket        string
	socketSet     bool // --socket was given (noteSet)
	withoutDaemon bool
	// ipvsOnly leaves the VIP and sync-daemon preview out (apply --once
	// changes IPVS and the node settings only).
	ipvsOnly bool
}

func (p *planFlags) register(fs *flag.FlagSet, d deps) {
	fs.StringVar(&p.configDir, "config-dir", defaultConfigDir, "configuration `directory`")
	fs.StringVar(&p.output, "output", "text", "plan format: text or json")
	fs.StringVar(&p.color, "color", "auto", "colour the text plan: auto (on a terminal), always, never")
	fs.BoolVar(&p.allowDelete, "allow-mass-delete", false, "apply a plan even if it deletes more than node.mass_delete.max_share of the owned services")
	fs.BoolVar(&p.backup, "backup", false, "without a running daemon: plan as a VRRP backup (no VIP addresses); default: as master")
	fs.StringVar(&p.socket, "socket", d.socket, "control socket `path` of the running daemon, whose health, drains and mastership the plan uses")
	fs.BoolVar(&p.withoutDaemon, "without-daemon", false, "do not ask the running daemon: plan as if every backend were healthy (or as its checks start), nothing drained by hand")
}

// noteSet records which flags were given explicitly; call it after parsing.
func (p *planFlags) noteSet(fs *flag.FlagSet) {
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "socket" {
			p.socketSet = true
		}
	})
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
	pf.register(fs, d)
	if code, done := parseFlags(fs, args, stdout, stderr, "plan|--dry-run [flags]",
		"Print what the next round would change: IPVS, VIP addresses, the sync daemon. When the daemon\n"+
			"answers on --socket, the plan uses its health verdicts, drains by hand, mastership,\n"+
			"watermark states and drain deadlines, so it is exactly its next round for the files on disk.\n"+
			"Exit 0: nothing to do, 2: changes, 1: error."); done {
		return min(code, exitError)
	}
	pf.noteSet(fs)
	v, c, code := showPlan(d, pf, "plan", stdout, stderr)
	if c != nil {
		defer c.Close()
	}
	if code >= 0 {
		return code
	}
	return v.exit()
}

// showPlan computes the plan and prints it to stdout. It returns code -1 on
// success, else the exit code after reporting the error; the caller closes
// the kernel when it is not nil.
func showPlan(d deps, pf planFlags, cmd string, stdout, stderr io.Writer) (planView, kernel.IPVS, int) {
	v, c, code := preparePlan(d, pf, stderr)
	if code >= 0 {
		return v, c, code
	}
	if err := renderView(stdout, v, pf.output, colorOn(d, pf, stdout)); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
		return v, c, exitError
	}
	return v, c, -1
}

// preparePlan loads the config, asks the daemon for its inputs, reads the
// kernel and computes the plan. It returns code -1 on success, else the
// exit code after reporting the error.
func preparePlan(d deps, pf planFlags, stderr io.Writer) (planView, kernel.IPVS, int) {
	if pf.output != "text" && pf.output != "json" {
		fmt.Fprintf(stderr, "--output %q: want text or json\n", pf.output)
		return planView{}, nil, exitError
	}
	cfg, err := desired.Load(pf.configDir)
	if err != nil {
		fmt.Fprintf(stderr, "load configuration %s:\n%v\n", pf.configDir, err)
		return planView{}, nil, exitError
	}
	in, src := planInputs(d, pf, cfg, stderr)
	c, err := d.openKernel()
	if err != nil {
		fmt.Fprintf(stderr, "open IPVS: %v\n", err)
		return planView{}, nil, exitError
	}
	live, err := c.Snapshot(context.Background())
	if err != nil {
		fmt.Fprintf(stderr, "read IPVS table: %v\n", err)
		return planView{}, c, exitError
	}
	out := reconcile.Compute(live, in)
	v := planView{Source: src.describe(), Plan: out.Plan}
	if pf.ipvsOnly {
		v.Notes = []string{"apply --once changes IPVS and the node settings only: VIP addresses and the sync daemon follow mastership in the daemon"}
	} else {
		v.Preview, v.Notes = livePreview(d, c, in, out, src.held())
	}
	var notes []string
	v.Preview.Settings, notes = settingsPreview(d, c, cfg.Node.IPVS)
	v.Notes = append(v.Notes, notes...)
	return v, c, -1
}

func colorOn(d deps, pf planFlags, w io.Writer) bool {
	return pf.color == "always" || (pf.color == "auto" && d.isTerminal(w))
}

// errHeld is reported when the mass-delete guard holds a plan back.
var errHeld = errors.New("plan held back by the mass-delete guard")
