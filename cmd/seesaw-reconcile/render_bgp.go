package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/seesaw-lb/seesaw/internal/daemon"
)

// renderBGP prints node.bgp's sessions and route verdicts, if the node has it.
func renderBGP(w io.Writer, b *daemon.BGPReport, now time.Time) {
	if b == nil {
		return
	}
	state := "running"
	switch {
	case !b.Running:
		state = "not running (starts after the first round; see the log)"
	case b.Drained:
		state = "running, node drained by hand (undrain-node)"
	}
	fmt.Fprintf(w, "\nbgp %s\n", state)
	if b.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", printable(b.Error))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(b.Peers) > 0 {
		fmt.Fprintln(tw, "PEER\tASN\tSTATE\tUP FOR\tRECEIVED\tADVERTISED")
		for _, p := range b.Peers {
			up := ""
			if !p.Since.IsZero() {
				up = now.Sub(p.Since).Round(time.Second).String()
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%d\n", p.Address, p.ASN, printable(p.State), up, p.Received, p.Advertised)
		}
	}
	if len(b.Routes) > 0 {
		fmt.Fprintln(tw, "\nROUTE\tANNOUNCED\tSERVICES UP\tWHY")
		for _, r := range b.Routes {
			fmt.Fprintf(tw, "%s\t%t\t%d/%d\t%s\n", r.Prefix, r.Announced, r.Up, r.Services, printable(r.Reason))
		}
	}
	tw.Flush()
}
