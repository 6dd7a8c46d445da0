package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// planView is what plan and diff print: whose state the plan used, the
// IPVS plan, and the VIP address and sync-daemon changes of the same round.
type planView struct {
	// Source is the "planned with ..." line.
	Source  string
	Plan    reconcile.Plan
	Preview reconcile.Preview
	// Notes say what could not be previewed (e.g. addresses not read).
	Notes []string
}

// changes reports whether the round would change anything.
func (v planView) changes() bool { return !v.Plan.Empty() || !v.Preview.Empty() }

// exit maps the view to plan's exit code: a held plan is an error.
func (v planView) exit() int {
	switch {
	case v.Plan.Held:
		return exitError
	case v.changes():
		return exitChanges
	}
	return exitNoChanges
}

// jsonView is the --output json form: the plan's fields, then the rest.
type jsonView struct {
	reconcile.JSONPlan
	PlannedWith string         `json:"planned_with"`
	Addresses   jsonAddresses  `json:"addresses"`
	SyncDaemon  jsonSyncDaemon `json:"sync_daemon"`
	Settings    []string       `json:"settings"`
	Notes       []string       `json:"notes,omitempty"`
}

type jsonAddresses struct {
	Add    []string `json:"add"`
	Delete []string `json:"delete"`
}

type jsonSyncDaemon struct {
	// Managed is false when the config has no sync_daemon (left alone).
	Managed bool     `json:"managed"`
	Stop    []string `json:"stop"`
	Start   []string `json:"start,omitempty"`
}

// renderView writes v as text (with color) or JSON.
func renderView(w io.Writer, v planView, output string, color bool) error {
	if output == "json" {
		jv := jsonView{JSONPlan: reconcile.NewJSONPlan(v.Plan), PlannedWith: v.Source, Notes: v.Notes,
			Addresses:  jsonAddresses{Add: []string{}, Delete: []string{}},
			SyncDaemon: jsonSyncDaemon{Managed: v.Preview.SyncDaemonManaged, Stop: []string{}},
			Settings:   settingTexts(v.Preview.Settings)}
		for _, a := range v.Preview.AddAddresses {
			jv.Addresses.Add = append(jv.Addresses.Add, addressText(a))
		}
		for _, a := range v.Preview.DeleteAddresses {
			jv.Addresses.Delete = append(jv.Addresses.Delete, addressText(a))
		}
		for _, s := range v.Preview.StopSyncDaemons {
			jv.SyncDaemon.Stop = append(jv.SyncDaemon.Stop, s.String())
		}
		for _, d := range v.Preview.StartSyncDaemons {
			jv.SyncDaemon.Start = append(jv.SyncDaemon.Start, daemonText(d))
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false) // "->" in planned_with stays readable
		return enc.Encode(jv)
	}
	if _, err := fmt.Fprintf(w, "# %s\n", v.Source); err != nil {
		return err
	}
	var plan strings.Builder
	if err := reconcile.RenderText(&plan, v.Plan, color); err != nil {
		return err
	}
	// The IPVS summary closes the output, after the address and sync-daemon lines.
	steps, summary := splitSummary(plan.String())
	if v.Plan.Empty() && !v.Plan.Held && !v.Preview.Empty() {
		summary = "IPVS: no changes.\n"
	}
	var b strings.Builder
	b.WriteString(steps)
	for _, line := range append(previewLines(v.Preview), settingsLines(v.Preview.Settings)...) {
		b.WriteString(line + "\n")
	}
	for _, n := range v.Notes {
		b.WriteString("# " + n + "\n")
	}
	b.WriteString(summary)
	_, err := io.WriteString(w, b.String())
	return err
}

// splitSummary splits RenderText's output before its last line.
func splitSummary(text string) (steps, summary string) {
	i := strings.LastIndexByte(strings.TrimSuffix(text, "\n"), '\n')
	return text[:i+1], text[i+1:]
}

// previewLines renders the address and sync-daemon changes, e.g.
// "+ address 192.0.2.10/32 on eth1" and "~ sync daemon: start master ...".
func previewLines(p reconcile.Preview) []string {
	var out []string
	for _, a := range p.AddAddresses {
		out = append(out, "+ address "+addressText(a))
	}
	for _, a := range p.DeleteAddresses {
		out = append(out, "- address "+addressText(a))
	}
	if len(p.StopSyncDaemons) > 0 || len(p.StartSyncDaemons) > 0 {
		var parts []string
		for _, s := range p.StopSyncDaemons {
			parts = append(parts, "stop "+s.String())
		}
		for _, d := range p.StartSyncDaemons {
			parts = append(parts, "start "+daemonText(d))
		}
		out = append(out, "~ sync daemon: "+strings.Join(parts, ", "))
	}
	if len(out) > 0 {
		out = append(out, fmt.Sprintf("Addresses: %d to add, %d to delete; sync daemon: %s.",
			len(p.AddAddresses), len(p.DeleteAddresses), syncSummary(p)))
	}
	return out
}

func syncSummary(p reconcile.Preview) string {
	switch {
	case !p.SyncDaemonManaged:
		return "not configured"
	case len(p.StopSyncDaemons) > 0 || len(p.StartSyncDaemons) > 0:
		return "changes"
	}
	return "unchanged"
}

// addressText renders "192.0.2.10/32 on eth1".
func addressText(a reconcile.Address) string {
	return a.Prefix.String() + " on " + a.Interface
}

// daemonText renders "master (interface eth1, syncid 1)".
func daemonText(d kernel.Daemon) string {
	return fmt.Sprintf("%s (interface %s, syncid %d)", d.State, d.Interface, d.SyncID)
}
