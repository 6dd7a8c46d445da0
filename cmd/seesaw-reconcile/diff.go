package main

import (
	"flag"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/reconcile"
)

func runDiffCmd(args []string, stdout, stderr io.Writer) int {
	return runDiff(realDeps(), args, stdout, stderr)
}

// runDiff is `diff OLD_DIR NEW_DIR`: the plan that takes a node running the
// configuration in OLD_DIR to the one in NEW_DIR, with no kernel, no root
// and no daemon, for review. Exit 0 no changes, 2 changes, 1 error.
func runDiff(d deps, args []string, stdout, stderr io.Writer) int {
	var output, color string
	var backup, allowDelete bool
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.StringVar(&output, "output", "text", "plan format: text or json")
	fs.StringVar(&color, "color", "auto", "colour the text plan: auto (on a terminal), always, never")
	fs.BoolVar(&backup, "backup", false, "plan as a VRRP backup (no VIP addresses); default: as master")
	fs.BoolVar(&allowDelete, "allow-mass-delete", false, "plan as if the mass-delete guard were overridden")
	dirs, flags := positionalArgs(args, "output", "color")
	if code, done := parseFlags(fs, flags, stdout, stderr, "diff [flags] OLD_DIR NEW_DIR",
		"Print the plan between two configuration revisions in the form of plan: the changes a node\n"+
			"running OLD_DIR makes when NEW_DIR lands, as if every backend passed its checks and\n"+
			"nothing were drained by hand. Needs no kernel, no root and no daemon; runs on any OS.\n"+
			"Exit 0: no changes, 2: changes, 1: error (an invalid revision, a held plan)."); done {
		return min(code, exitError)
	}
	if len(dirs) != 2 {
		fmt.Fprintf(stderr, "diff: want OLD_DIR and NEW_DIR, got %d directories\n", len(dirs))
		return exitError
	}
	if output != "text" && output != "json" {
		fmt.Fprintf(stderr, "diff: --output %q: want text or json\n", output)
		return exitError
	}
	var cfgs [2]desired.Config
	for i, dir := range dirs {
		cfg, err := desired.Load(dir)
		if err != nil {
			fmt.Fprintf(stderr, "diff: load configuration %s:\n%v\n", dir, err)
			return exitError
		}
		cfgs[i] = cfg
	}
	v := diffView(cfgs[0], cfgs[1], !backup, allowDelete, d)
	v.Source = fmt.Sprintf("diff %s -> %s: %s", dirs[0], dirs[1], v.Source)
	if err := renderView(stdout, v, output, color == "always" || (color == "auto" && d.isTerminal(stdout))); err != nil {
		fmt.Fprintf(stderr, "diff: %v\n", err)
		return exitError
	}
	return v.exit()
}

// diffView plans newCfg against the table, addresses and sync daemon a
// node has after applying oldCfg in full, every backend healthy.
func diffView(oldCfg, newCfg desired.Config, master, allowDelete bool, d deps) planView {
	now := d.now()
	old := reconcile.Compute(kernel.Snapshot{}, reconcile.Inputs{Config: oldCfg, Health: allHealthy(oldCfg), Master: master, Now: now})
	in := reconcile.Inputs{Config: newCfg, Health: allHealthy(newCfg), Master: master, States: old.States, Now: now, AllowMassDelete: allowDelete}
	out := reconcile.Compute(withConnections(old.Target.Snapshot()), in)
	daemons := reconcile.PreviewOf(oldCfg, old, master, nil, nil, nil, true).StartSyncDaemons
	held := old.Target.Addresses
	role := "master"
	if !master {
		role = "backup"
	}
	return planView{
		Source:  "planned as " + role + ", every backend healthy and carrying connections, nothing drained by hand",
		Plan:    out.Plan,
		Preview: diffPreview(oldCfg, newCfg, out, master, held, daemons),
	}
}

// diffPreview is the address, sync-daemon and node-setting changes of a
// node running oldCfg when newCfg lands; a setting oldCfg left as found
// shows as "?".
func diffPreview(oldCfg, newCfg desired.Config, out reconcile.Outcome, master bool, held []reconcile.Address, daemons []kernel.Daemon) reconcile.Preview {
	p := reconcile.PreviewOf(newCfg, out, master, reconcile.AddressesByInterface(held), held, daemons, true)
	p.Settings = reconcile.PlanSettings(newCfg.Node.IPVS, reconcile.SettingsAfter(oldCfg.Node.IPVS))
	return p
}

// withConnections gives every destination of live an active connection: a
// backend the new revision removes then shows as draining (at weight 0
// until its drain_timeout), as on a node with traffic, not as deleted at
// once, as on an idle one.
func withConnections(live kernel.Snapshot) kernel.Snapshot {
	for i := range live.Services {
		for j := range live.Services[i].Destinations {
			live.Services[i].Destinations[j].Conns.Active = 1
		}
	}
	return live
}

// allHealthy returns a verdict of healthy for every backend of cfg.
func allHealthy(cfg desired.Config) reconcile.Health {
	h := reconcile.Health{}
	for _, s := range cfg.Services {
		for _, b := range s.Backends {
			h[reconcile.BackendKey{Service: s.Name, Backend: netip.AddrPortFrom(b.Address, b.Port)}] = true
		}
	}
	return h
}

// positionalArgs separates the positional arguments from the flags;
// valueFlags are the flags that take a separate value.
func positionalArgs(args []string, valueFlags ...string) (pos, flags []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if !strings.Contains(name, "=") && i+1 < len(args) && slices.Contains(valueFlags, name) {
			i++
			flags = append(flags, args[i])
		}
	}
	return pos, flags
}
