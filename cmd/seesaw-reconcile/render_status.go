package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/seesaw-lb/seesaw/internal/daemon"
)

// renderStatus prints the status report as tables for a terminal; text
// that came from files or backends is printed with control characters escaped.
func renderStatus(w io.Writer, r daemon.StatusReport) {
	fmt.Fprintf(w, "node %s  vrrp %s", printable(r.Node), r.VRRP.State)
	if r.VRRP.Priority != 0 {
		fmt.Fprintf(w, " (priority %d)", r.VRRP.Priority)
	}
	if r.VRRP.Master != "" {
		fmt.Fprintf(w, " master %s", r.VRRP.Master)
	}
	fmt.Fprintln(w)
	if len(r.VRRP.Instances) > 1 || (len(r.VRRP.Instances) == 1 && r.VRRP.Instances[0].Name != "default") {
		renderInstances(w, r.VRRP.Instances)
	}
	fmt.Fprintf(w, "config generation %d from %s\n", r.Generation, strings.Join(printableAll(r.Files), " "))
	if r.ConfigError != "" {
		fmt.Fprintf(w, "config error held back: %s\n", printableLines(r.ConfigError, "\n  "))
	}
	parts := make([]string, 0, len(r.Degraded))
	for part := range r.Degraded {
		parts = append(parts, part)
	}
	sort.Strings(parts)
	for _, part := range parts {
		fmt.Fprintf(w, "degraded %s: %s\n", printable(part), printable(r.Degraded[part]))
	}
	lr := r.LastRound
	at := "never"
	if !lr.At.IsZero() {
		at = lr.At.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(w, "last reconcile %s: applied %s failed %s\n", at, counts(lr.Applied), counts(lr.Failed))
	if lr.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", printableLines(lr.Error, "\n    "))
	}
	if lr.Held != "" {
		fmt.Fprintf(w, "  held back: %s\n", printableLines(lr.Held, "\n    "))
	}
	if len(r.Drained) > 0 {
		fmt.Fprintf(w, "drained by hand: %s\n", strings.Join(printableAll(r.Drained), " "))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nSERVICE\tSTATE\tHEALTHY\tWATERMARKS\tVIP\tBACKEND\tWEIGHT\tEFFECTIVE\tHEALTH\tLAST CHECK\tLATENCY")
	for _, s := range r.Services {
		state := "down"
		if s.Up {
			state = "up"
		}
		if s.FallbackInUse > 0 {
			state += " (fallback)"
		}
		vip := s.VIP
		if s.VIPHeld {
			vip += " (held)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%g-%g\t%s\t\t\t\t\t\t\n", printable(s.Name), state, s.Healthy, s.Enabled, s.Low, s.High, vip)
		for _, b := range s.Backends {
			health := "healthy"
			if !b.Healthy {
				health = "unhealthy"
			}
			if b.DrainedByHand {
				health += ", drained by hand"
			}
			lat := ""
			if b.LastCheck != "" {
				lat = fmt.Sprintf("%.1fms", b.LatencyMS)
			}
			addr := b.Address
			if b.Fallback {
				addr += " (fallback)"
			}
			fmt.Fprintf(tw, "\t\t\t\t\t%s\t%d\t%d (%s)\t%s\t%s\t%s\n", addr, b.Weight, b.Effective, b.Reason, health, printable(b.LastCheck), lat)
		}
	}
	if len(r.CheckServices) > 0 {
		fmt.Fprintln(tw, "\nCHECK SERVICE\tBACKEND\tFORWARD")
		for _, c := range r.CheckServices {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", printable(c.Service), c.Backend, c.Forward)
		}
	}
	tw.Flush()
	renderBGP(w, r.BGP, time.Now())
	renderHostChecks(w, r.HostChecks)
}

// counts renders op counts as "add-service=1 ..." sorted, or 0.
func counts(m map[string]int) string {
	if len(m) == 0 {
		return "0"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(parts, " ")
}

// renderInstances prints one line per VRRP instance.
func renderInstances(w io.Writer, is []daemon.InstanceReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "INSTANCE\tVRID\tINTERFACE\tSTATE\tPRIORITY\tHOLDS\tMASTER\tSYNC GROUP")
	for _, in := range is {
		holds := "no"
		if in.Active {
			holds = fmt.Sprintf("yes (%d)", in.Addresses)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%s\t%s\t%s\n", printable(in.Name), in.VRID, printable(in.Interface), in.State,
			in.Priority, holds, or(in.Master, "-"), or(printable(in.SyncGroup), "-"))
	}
	tw.Flush()
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
