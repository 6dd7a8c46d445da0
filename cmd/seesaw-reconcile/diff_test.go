package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/kernel"
)

// noKernel are deps whose kernel cannot be opened: diff must not need it.
func noKernel(t *testing.T) deps {
	d, _ := fakeDeps(t)
	d.openKernel = func() (kernel.IPVS, error) {
		t.Error("diff opened the kernel")
		return nil, errors.ErrUnsupported
	}
	return d
}

const diffNode = "node:\n  name: lb1\n  interface: eth1\n  scope: {prefixes: [192.0.2.0/24]}\n" +
	"  vrrp: {vrid: 60, priority: 200, peers: [192.0.2.3], sync_daemon: {interface: eth1, sync_id: 60}}\n"

// checkedWeb is webFile with an http check on every backend (no initial_up).
func checkedWeb(weight int) string {
	return strings.Replace(webFile(weight), "    scheduler: wrr\n", "    scheduler: wrr\n    checks: [{type: http, port: 80, path: /healthz}]\n", 1)
}

func TestDiffBetweenRevisions(t *testing.T) {
	d := noKernel(t)
	api := "services:\n  - name: api\n    vip: 192.0.2.11\n    ports: [{proto: tcp, port: 443}]\n    backends: [{address: 198.51.100.7}]\n"
	old := writeConfig(t, map[string]string{"node.yaml": diffNode, "web.yaml": checkedWeb(10), "api.yaml": api})
	same := writeConfig(t, map[string]string{"node.yaml": diffNode, "web.yaml": checkedWeb(10), "api.yaml": api})
	edited := writeConfig(t, map[string]string{"node.yaml": diffNode, "web.yaml": checkedWeb(20),
		"db.yaml": strings.NewReplacer("api", "db", "192.0.2.11", "192.0.2.12", "443", "5432").Replace(api)})

	code, out, errs := runWith(d, runDiff, old, same)
	if code != exitNoChanges || !strings.HasSuffix(out, "No changes: the kernel matches the configuration.\n") ||
		!strings.HasPrefix(out, "# diff "+old+" -> "+same+": planned as master, every backend healthy") {
		t.Fatalf("diff of equal revisions: code %d\n%s%s", code, out, errs)
	}
	code, out, errs = runWith(d, runDiff, old, edited)
	for _, want := range []string{
		"+ service tcp/192.0.2.12:5432 wlc\n",
		"+ destination 198.51.100.7:5432 in tcp/192.0.2.12:5432 weight 1 forward nat\n",
		"~ destination 198.51.100.1:80 in tcp/192.0.2.10:80 weight 10 -> 20\n",
		"- service tcp/192.0.2.11:443\n",
		"+ address 192.0.2.12/32 on eth1\n- address 192.0.2.11/32 on eth1\n",
		"Plan: services 1 to add, 0 to change, 1 to delete; destinations 1 to add, 1 to change, 0 to delete.\n",
	} {
		if code != exitChanges || !strings.Contains(out, want) {
			t.Errorf("diff lacks %q (code %d):\n%s%s", want, code, out, errs)
		}
	}
	// As a backup: no addresses; both sync-daemon roles run on either role.
	code, out, _ = runWith(d, runDiff, "--output", "json", "--backup", old, edited)
	var jv struct {
		Changes    []struct{ Line string }
		Addresses  struct{ Add, Delete []string }
		SyncDaemon struct {
			Managed bool
			Stop    []string
			Start   []string
		} `json:"sync_daemon"`
	}
	if err := json.Unmarshal([]byte(out), &jv); err != nil || code != exitChanges || len(jv.Changes) != 4 ||
		len(jv.Addresses.Add)+len(jv.Addresses.Delete) != 0 || !jv.SyncDaemon.Managed || len(jv.SyncDaemon.Stop) != 0 || len(jv.SyncDaemon.Start) != 0 {
		t.Fatalf("json diff as backup: code %d, %v\n%s", code, err, out)
	}
	// A changed sync daemon shows as a restart of both roles.
	moved := writeConfig(t, map[string]string{"node.yaml": strings.Replace(diffNode, "sync_id: 60", "sync_id: 61", 1), "web.yaml": checkedWeb(10), "api.yaml": api})
	code, out, _ = runWith(d, runDiff, old, moved)
	if code != exitChanges || !strings.Contains(out, "~ sync daemon: stop master, stop backup, start master (interface eth1, syncid 61), start backup (interface eth1, syncid 61)\n") {
		t.Fatalf("diff of a sync daemon change: code %d\n%s", code, out)
	}

	bad := writeConfig(t, map[string]string{"node.yaml": diffNode, "web.yaml": "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 70000}]\n"})
	if code, _, errs := runWith(d, runDiff, old, bad); code != exitError || !strings.Contains(errs, "web.yaml:4:") {
		t.Fatalf("diff to an invalid revision: code %d %s", code, errs)
	}
	if code, _, errs := runWith(d, runDiff, old); code != exitError || !strings.Contains(errs, "want OLD_DIR and NEW_DIR") {
		t.Fatalf("diff of one directory: code %d %s", code, errs)
	}
}
