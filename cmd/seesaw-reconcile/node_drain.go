package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/seesaw-lb/seesaw/internal/daemon"
)

func runDrainNodeCmd(args []string, stdout, stderr io.Writer) int {
	return nodeDrainCmd("drain-node", args, stdout, stderr)
}

func runUndrainNodeCmd(args []string, stdout, stderr io.Writer) int {
	return nodeDrainCmd("undrain-node", args, stdout, stderr)
}

// nodeDrainCmd is drain-node and undrain-node.
func nodeDrainCmd(name string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	socket := clientFlags(fs)
	if code, done := parseFlags(fs, args, stdout, stderr, name+" [flags]",
		"drain-node withdraws every BGP route of the node (node.bgp) while IPVS keeps serving established flows; "+
			"it survives a restart. undrain-node announces them again."); done {
		return code
	}
	c := daemon.NewClient(*socket)
	call, msg := c.DrainNode, "drained: every BGP route is withdrawn; established flows keep being served"
	if name == "undrain-node" {
		call, msg = c.UndrainNode, "undrained: VIPs that can be served are announced again"
	}
	if err := call(); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitFailure
	}
	fmt.Fprintln(stdout, msg)
	return exitOK
}
