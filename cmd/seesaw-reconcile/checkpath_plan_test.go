package main

import (
	"strings"
	"testing"
)

// TestPlanShowsCheckServices: the dry-run plan labels the check services of
// a dsr check, one per backend, and applying it leaves nothing to do.
func TestPlanShowsCheckServices(t *testing.T) {
	d, _ := fakeDeps(t)
	dir := writeConfig(t, map[string]string{
		"node.yaml": "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]}, check_fwmarks: 60000-60009}\n",
		"web.yaml": "services:\n  - name: web\n    vip: 192.0.2.10\n    forward: dr\n    ports: [{proto: tcp, port: 80}]\n" +
			"    checks: [{type: http, mode: dsr}]\n    backends: [{address: 198.51.100.1}, {address: 198.51.100.2}]\n"})
	code, out, errs := runWith(d, runPlan, "--config-dir", dir)
	for _, want := range []string{
		"+ check service fwmark/60000 rr\n", "+ check destination 198.51.100.1:0 in fwmark/60000 weight 1 forward dr\n",
		"+ check service fwmark/60001 rr\n", "+ check destination 198.51.100.2:0 in fwmark/60001 weight 1 forward dr\n",
		"+ service tcp/192.0.2.10:80 wlc\n",
	} {
		if code != exitChanges || !strings.Contains(out, want) {
			t.Errorf("dry-run lacks %q (code %d):\n%s%s", want, code, out, errs)
		}
	}
	if code, _, errs = runWith(d, runApply, "--once", "--config-dir", dir); code != exitChanges {
		t.Fatalf("apply: code %d: %s", code, errs)
	}
	if code, out, _ = runWith(d, runPlan, "--config-dir", dir); code != exitNoChanges {
		t.Errorf("plan after apply: code %d\n%s", code, out)
	}
}
