package main

import (
	"fmt"
	"io"

	"github.com/seesaw-lb/seesaw/internal/daemon"
)

// renderHostChecks prints the host settings anycast VIPs need: one line
// when all fit, else each unfit one with what it should be and why.
func renderHostChecks(w io.Writer, cs []daemon.HostCheck) {
	if len(cs) == 0 {
		return
	}
	var bad []daemon.HostCheck
	for _, c := range cs {
		if !c.OK {
			bad = append(bad, c)
		}
	}
	if len(bad) == 0 {
		fmt.Fprintf(w, "\nhost settings for anycast VIPs: all %d fit\n", len(cs))
		return
	}
	fmt.Fprintf(w, "\nhost settings for anycast VIPs: %d of %d unfit\n", len(bad), len(cs))
	for _, c := range bad {
		fmt.Fprintf(w, "  %s = %s, want %s: %s\n", c.Setting, printable(c.Value), c.Want, c.Why)
	}
}
