// Command seesaw-reconcile keeps a Linux node's IPVS tables and VIP addresses
// equal to the YAML configuration under /etc/seesaw.
//
// Usage:
//
//	seesaw-reconcile [flags] COMMAND [command flags]
//
// The commands:
//
//   - validate checks a configuration directory and prints a summary, or
//     one FILE:LINE:COL line per problem.
//   - plan (also --dry-run, dry-run) reads the configuration and the live
//     IPVS table and prints the changes the next round would make (IPVS, VIP
//     addresses, sync daemon), as text or JSON; when the daemon answers on
//     its control socket, with its health, drains by hand and mastership.
//   - diff OLD_DIR NEW_DIR prints the plan between two configuration
//     revisions, with no kernel: for review, on any OS.
//   - apply asks the running daemon to reload and waits for the round that
//     applies the files; apply --once, with no daemon running, applies the
//     plan once.
//   - run is the daemon (package internal/daemon): it watches the directory
//     and reconciles continuously, until SIGTERM or SIGINT; SIGHUP reloads.
//   - status, failover, drain BACKEND and enable BACKEND talk to the running
//     daemon over its control socket (daemon.Client); status renders its
//     report as tables or JSON.
//   - drain-node and undrain-node withdraw every BGP route of a node with
//     node.bgp, and announce them again (docs/anycast.md).
//   - import keepalived FILE --out DIR converts a keepalived.conf into a
//     configuration directory (package internal/keepalived).
//   - version prints the module version and VCS revision.
//
// This package holds the flags, the subcommands and the rendering; the
// daemon's state lives in internal/daemon.
//
// Exit codes: 0 success, 1 failure (for example an invalid configuration),
// 2 usage error. plan and apply exit 0 when there is nothing to do, 2 when
// there are changes (applied, for apply) and 1 on an error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/seesaw-lb/seesaw/vrrp"
)

// Exit codes shared by every subcommand.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// defaultConfigDir is where the configuration lives unless --config-dir says otherwise.
const defaultConfigDir = "/etc/seesaw"

func main() {
	vrrp.RunSenderIfChild() // the VRRP advert sender process is this binary re-executed
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand: its name, a one-line summary for the usage text,
// and its entry point, which parses its own flags and returns an exit code.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order the usage text shows them.
func commands() []command {
	return []command{
		{"validate", "check a configuration directory and summarize it", runValidate},
		{"plan", "print what the next round would change, with the daemon's state (also: --dry-run)", runPlanCmd},
		{"diff", "print the plan between two configuration directories (no kernel needed)", runDiffCmd},
		{"apply", "have the daemon apply the files and wait (without one: apply --once)", runApplyCmd},
		{"run", "the daemon: watch the configuration and reconcile continuously", runDaemonCmd},
		{"status", "show the running daemon's state (--output json)", runStatusCmd},
		{"failover", "ask the running VRRP master to step down", runFailoverCmd},
		{"drain", "drain BACKEND by hand (survives a restart)", runDrainCmd},
		{"enable", "undo drain BACKEND", runEnableCmd},
		{"drain-node", "withdraw every BGP route of this node (survives a restart)", runDrainNodeCmd},
		{"undrain-node", "undo drain-node", runUndrainNodeCmd},
		{"import", "convert a keepalived.conf: import keepalived FILE --out DIR", runImportCmd},
		{"version", "print the version", runVersion},
	}
}

// run is main without the process exit, for tests.
func run(args []string, stdout, stderr io.Writer) int {
	if rest, ok := dryRunArgs(args); ok {
		return runPlanCmd(rest, stdout, stderr)
	}
	fs := flag.NewFlagSet("seesaw-reconcile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	version := fs.Bool("version", false, "print the version and exit")
	fs.Usage = func() {} // printed below, to stdout for -h and stderr for mistakes
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(fs, stdout)
			return exitOK
		}
		usage(fs, stderr)
		return exitUsage
	}
	if *version {
		return runVersion(nil, stdout, stderr)
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "seesaw-reconcile: no command given")
		usage(fs, stderr)
		return exitUsage
	}
	name, rest := fs.Arg(0), fs.Args()[1:]
	for _, c := range commands() {
		if c.name == name {
			return c.run(rest, stdout, stderr)
		}
	}
	if name == "help" {
		usage(fs, stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "seesaw-reconcile: unknown command %q\n", name)
	usage(fs, stderr)
	return exitUsage
}

// usage prints the top-level usage text.
func usage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprint(w, "Usage: seesaw-reconcile [flags] COMMAND [command flags]\n\n"+
		"seesaw-reconcile keeps the kernel's IPVS tables and VIP addresses equal to\n"+
		"the YAML configuration in a directory (default "+defaultConfigDir+").\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nFlags:\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprint(w, "\nRun 'seesaw-reconcile COMMAND -h' for a command's flags.\n"+
		"Exit codes: 0 success, 1 failure, 2 usage error.\n")
}
