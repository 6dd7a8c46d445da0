package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/seesaw-lb/seesaw/internal/daemon"
)

// clientFlags registers --socket on fs.
func clientFlags(fs *flag.FlagSet) *string {
	return fs.String("socket", daemon.DefaultControlSocket, "control socket `path` of the running daemon")
}

func runStatusCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	socket := clientFlags(fs)
	output := fs.String("output", "table", "output format: table or json")
	if code, done := parseFlags(fs, args, stdout, stderr, "status [flags]",
		"Show the running daemon's state: VRRP, config, last reconcile, services and backends."); done {
		return code
	}
	st, err := daemon.NewClient(*socket).Status()
	if err != nil {
		fmt.Fprintf(stderr, "status: %v\n", err)
		return exitFailure
	}
	switch *output {
	case "json":
		e := json.NewEncoder(stdout)
		e.SetIndent("", "  ")
		_ = e.Encode(&st)
	case "table":
		renderStatus(stdout, st)
	default:
		fmt.Fprintf(stderr, "status: --output %q: want table or json\n", *output)
		return exitUsage
	}
	return exitOK
}

func runFailoverCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("failover", flag.ContinueOnError)
	socket := clientFlags(fs)
	instance := fs.String("instance", "", "the VRRP `name` of the instance to step down from (default: every instance this node is master of)")
	if code, done := parseFlags(fs, args, stdout, stderr, "failover [flags]",
		"Ask the running VRRP master to step down so the best backup takes over: from one instance with\n--instance, else from every instance this node is master of."); done {
		return code
	}
	if err := daemon.NewClient(*socket).FailoverInstance(*instance); err != nil {
		fmt.Fprintf(stderr, "failover: %v\n", err)
		return exitFailure
	}
	if *instance != "" {
		fmt.Fprintf(stdout, "stepped down from instance %s: the best backup takes over\n", *instance)
		return exitOK
	}
	fmt.Fprintln(stdout, "stepped down from every instance this node was master of: the best backups take over")
	return exitOK
}

func runDrainCmd(args []string, stdout, stderr io.Writer) int {
	return overrideCmd("drain", args, stdout, stderr)
}

func runEnableCmd(args []string, stdout, stderr io.Writer) int {
	return overrideCmd("enable", args, stdout, stderr)
}

// overrideCmd is drain BACKEND and enable BACKEND.
func overrideCmd(name string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	socket := clientFlags(fs)
	backend, args := backendArg(args)
	if code, done := parseFlags(fs, args, stdout, stderr, name+" BACKEND [flags]",
		"BACKEND is ADDRESS or ADDRESS:PORT; the override is saved beside the config and survives a restart."); done {
		return code
	}
	if backend == "" {
		fmt.Fprintf(stderr, "%s: no BACKEND given\n", name)
		return exitUsage
	}
	if _, err := daemon.ParseBackendRef(backend); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitUsage
	}
	c := daemon.NewClient(*socket)
	call := c.Drain
	if name == "enable" {
		call = c.Enable
	}
	if err := call(backend); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "%s %s: done\n", name, backend)
	return exitOK
}

// backendArg takes the BACKEND argument out of args, before or after the
// flags (the only flag with a value is --socket).
func backendArg(args []string) (string, []string) {
	for i, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		if i > 0 && (args[i-1] == "-socket" || args[i-1] == "--socket") {
			continue
		}
		return a, append(args[:i:i], args[i+1:]...)
	}
	return "", args
}
