package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// settingsPreview returns the node-setting ops (node.ipvs) a round would
// apply on this node, against the timeouts read through c and the sysctls
// read through d.sysctls (nil: not previewed); what cannot be read is
// left out and named in a note.
func settingsPreview(d deps, c kernel.IPVS, want desired.IPVSSettings) ([]reconcile.SettingOp, []string) {
	tk, _ := c.(reconcile.KernelTimeouts)
	want = reconcile.ManagedSettings(want, tk != nil, d.sysctls != nil)
	var live reconcile.LiveSettings
	var notes []string
	if err := reconcile.ReadSettings(context.Background(), tk, d.sysctls, want, &live); err != nil {
		notes = append(notes, "node settings not all previewed: "+strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	var ops []reconcile.SettingOp
	for _, op := range reconcile.PlanSettings(want, live) {
		if op.Known {
			ops = append(ops, op)
		}
	}
	return ops, notes
}

// settingsLines renders the node-setting ops, e.g.
// "~ set ipvs timeout tcp 900s -> 3600s", and their count.
func settingsLines(ops []reconcile.SettingOp) []string {
	if len(ops) == 0 {
		return nil
	}
	var out []string
	for _, op := range ops {
		out = append(out, "~ "+op.String())
	}
	return append(out, fmt.Sprintf("Node settings: %d to set.", len(ops)))
}

// settingTexts renders the ops for --output json.
func settingTexts(ops []reconcile.SettingOp) []string {
	out := make([]string, 0, len(ops))
	for _, op := range ops {
		out = append(out, op.String())
	}
	return out
}

// applySettings applies the node-setting ops of apply --once and reports
// every failure; it returns how many failed.
func applySettings(d deps, c kernel.IPVS, ops []reconcile.SettingOp, stderr io.Writer) int {
	tk, _ := c.(reconcile.KernelTimeouts)
	failed := 0
	for _, r := range reconcile.ApplySettings(context.Background(), tk, d.sysctls, ops) {
		if r.Err != nil {
			failed++
			fmt.Fprintf(stderr, "apply: %v\n", r.Err)
		}
	}
	return failed
}
