package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

const settingsNode = "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]}, " +
	"ipvs: {timeouts: {tcp: 1h, tcp_fin: 30s}, sloppy_tcp: true}}\n"

// TestPlanShowsAndApplyKeepsNodeSettings: plan lists the node settings
// that differ (text and JSON) and exits 2 on them alone; apply --once sets
// them, after which plan has nothing to do.
func TestPlanShowsAndApplyKeepsNodeSettings(t *testing.T) {
	d, f := fakeDeps(t)
	sys := kerneltest.NewIPVSSysctls()
	d.sysctls = sys
	dir := writeConfig(t, map[string]string{"node.yaml": settingsNode})
	code, out, errs := runWith(d, runPlan, "--config-dir", dir)
	for _, want := range []string{
		"~ set ipvs timeout tcp 900s -> 3600s\n~ set ipvs timeout tcp_fin 120s -> 30s\n",
		"~ set sysctl net.ipv4.vs.expire_nodest_conn 0 -> 1\n~ set sysctl net.ipv4.vs.expire_quiescent_template 0 -> 1\n" +
			"~ set sysctl net.ipv4.vs.sloppy_tcp 0 -> 1\nNode settings: 5 to set.\n",
		"IPVS: no changes.\n",
	} {
		if code != exitChanges || !strings.Contains(out, want) {
			t.Errorf("plan lacks %q (code %d):\n%s%s", want, code, out, errs)
		}
	}
	code, out, _ = runWith(d, runPlan, "--config-dir", dir, "--output", "json")
	var jv struct{ Settings []string }
	if err := json.Unmarshal([]byte(out), &jv); err != nil || code != exitChanges || len(jv.Settings) != 5 ||
		jv.Settings[0] != "set ipvs timeout tcp 900s -> 3600s" {
		t.Errorf("json plan: code %d, %v\n%s", code, err, out)
	}
	if code, _, errs := runWith(d, runApply, "--once", "--config-dir", dir); code != exitChanges {
		t.Fatalf("apply --once: code %d: %s", code, errs)
	}
	c, err := f.Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if to, err := c.Timeouts(context.Background()); err != nil || to != (kernel.Timeouts{TCP: 3600, TCPFin: 30, UDP: 300}) {
		t.Errorf("timeouts after apply --once: %+v %v", to, err)
	}
	if v, _ := sys.Get("net/ipv4/vs/sloppy_tcp"); v != "1" {
		t.Errorf("sloppy_tcp after apply --once: %s", v)
	}
	if code, out, _ := runWith(d, runPlan, "--config-dir", dir); code != exitNoChanges || strings.Contains(out, "set ") {
		t.Errorf("plan after apply --once: code %d\n%s", code, out)
	}
}

// TestPlanNotesUnreadableSettings: a sysctl that does not exist is a note,
// not a guess, and not an error of plan.
func TestPlanNotesUnreadableSettings(t *testing.T) {
	d, _ := fakeDeps(t)
	d.sysctls = kerneltest.NewSysctls(nil) // ip_vs's sysctls absent
	dir := writeConfig(t, map[string]string{"node.yaml": planNode})
	code, out, errs := runWith(d, runPlan, "--config-dir", dir)
	if code != exitNoChanges || strings.Contains(out, "set sysctl") ||
		!strings.Contains(out, "# node settings not all previewed: read sysctl net/ipv4/vs/expire_nodest_conn") {
		t.Errorf("plan: code %d\n%s%s", code, out, errs)
	}
}

// TestDiffShowsNodeSettings: diff renders the node settings a revision
// changes; one the old revision left as found is "?".
func TestDiffShowsNodeSettings(t *testing.T) {
	d := noKernel(t)
	old := writeConfig(t, map[string]string{"node.yaml": strings.Replace(settingsNode, "sloppy_tcp: true", "conntrack: true", 1)})
	next := writeConfig(t, map[string]string{"node.yaml": strings.Replace(settingsNode, "tcp: 1h", "tcp: 2h", 1)})
	code, out, errs := runWith(d, runDiff, old, next)
	want := "~ set ipvs timeout tcp 3600s -> 7200s\n~ set sysctl net.ipv4.vs.sloppy_tcp ? -> 1\nNode settings: 2 to set.\n"
	if code != exitChanges || !strings.Contains(out, want) {
		t.Errorf("diff: code %d, want %q in\n%s%s", code, want, out, errs)
	}
}
