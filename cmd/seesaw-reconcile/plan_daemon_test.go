package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/internal/daemon"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// fakeDaemon serves the control protocol's /plan-inputs, /apply and
// /status on a unix socket with the given answers; it counts the applies.
func fakeDaemon(t *testing.T, pi *daemon.PlanInputs, apply *daemon.ApplyResult) (string, *int) {
	t.Helper()
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	ln, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	applies := new(int)
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body := map[string]any{"ok": true}
		switch r.Method + " " + r.URL.Path {
		case "GET /plan-inputs":
			body["plan_inputs"] = pi
		case "POST /apply":
			*applies++
			body["apply"] = apply
		case "GET /status":
			body["status"] = map[string]any{"node": "lb1"}
		default:
			body = map[string]any{"ok": false, "error": "no such request"}
		}
		rw.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(rw).Encode(body)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return socket, applies
}

// withAddresses makes d's live addresses those of live, by interface.
func withAddresses(d deps, live map[string][]netip.Prefix) deps {
	d.listAddresses = func(_ context.Context, ifnames []string) (map[string][]netip.Prefix, error) {
		m := map[string][]netip.Prefix{}
		for _, n := range ifnames {
			m[n] = live[n]
		}
		return m, nil
	}
	return d
}

// TestPlanWithTheRunningDaemon: a daemon has one backend unhealthy and one
// drained by hand, both at weight 0 in the kernel, and holds its VIP plus
// one the files no longer name. plan with its inputs shows no IPVS change
// (planning without them brings both backends back), the stale VIP's
// removal, and a real edit as its one change.
func TestPlanWithTheRunningDaemon(t *testing.T) {
	d, f := fakeDeps(t)
	vip, stale := netip.MustParsePrefix("192.0.2.10/32"), netip.MustParsePrefix("192.0.2.99/32")
	d = withAddresses(d, map[string][]netip.Prefix{"eth1": {netip.MustParsePrefix("192.0.2.2/24"), vip, stale}})
	dir := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": webFile(10)})
	svc := kernel.NewServiceKey(kernel.TCP, netip.MustParseAddr("192.0.2.10"), 80)
	c, _ := f.Dial(kernel.Options{})
	defer c.Close()
	dest := func(addr string, w uint32) kernel.Op {
		return kernel.Op{Kind: kernel.AddDestination, Service: svc, Destination: kernel.NewDestinationKey(netip.MustParseAddr(addr), 80),
			DestinationConfig: kernel.DestinationConfig{Weight: w, Forward: kernel.ForwardNAT}}
	}
	if _, err := c.Apply(t.Context(), []kernel.Op{{Kind: kernel.AddService, Service: svc, ServiceConfig: kernel.ServiceConfig{Scheduler: "wrr"}},
		dest("198.51.100.1", 0), dest("198.51.100.2", 0)}); err != nil {
		t.Fatal(err)
	}
	pi := &daemon.PlanInputs{Generation: 41, HaveConfig: true, Master: true, Now: d.now(),
		Health:  []daemon.BackendHealth{{Key: reconcile.BackendKey{Service: "web", Backend: netip.MustParseAddrPort("198.51.100.2:0")}, Healthy: false}},
		Drained: []string{"198.51.100.1"}, States: map[string]bool{"web": true},
		Held: []reconcile.Address{{Interface: "eth1", Prefix: vip}, {Interface: "eth1", Prefix: stale}}}
	socket, _ := fakeDaemon(t, pi, nil)

	code, out, errs := runWith(d, runPlan, "--config-dir", dir, "--socket", socket)
	want := "# planned with the running daemon: standalone master, generation 41, 1 backend unhealthy, 1 drained by hand\n" +
		"- address 192.0.2.99/32 on eth1\n" +
		"Addresses: 0 to add, 1 to delete; sync daemon: not configured.\n" +
		"IPVS: no changes.\n"
	if code != exitChanges || out != want {
		t.Fatalf("plan with the daemon: code %d\n%s%s\nwant:\n%s", code, out, errs, want)
	}
	// Without --socket, the config's node.control_socket is asked.
	withSocket := writeConfig(t, map[string]string{"web.yaml": webFile(10),
		"node.yaml": strings.Replace(planNode, "interface: eth1,", "interface: eth1, control_socket: "+socket+",", 1)})
	if code, out, errs := runWith(d, runPlan, "--config-dir", withSocket); code != exitChanges || !strings.HasPrefix(out, "# planned with the running daemon") {
		t.Fatalf("plan with node.control_socket: code %d\n%s%s", code, out, errs)
	}
	code, out, _ = runWith(d, runPlan, "--config-dir", dir, "--socket", socket, "--without-daemon")
	if code != exitChanges || strings.Count(out, "weight 0 -> ") != 2 || !strings.HasPrefix(out, "# --without-daemon: planned as master") {
		t.Fatalf("plan without the daemon should bring both backends back: code %d\n%s", code, out)
	}

	// A real edit still shows, and only it.
	dir2 := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": strings.Replace(webFile(10), "198.51.100.2}", "198.51.100.2}, {address: 198.51.100.3, weight: 4}", 1)})
	code, out, errs = runWith(d, runPlan, "--config-dir", dir2, "--socket", socket, "--output", "json")
	var jv struct {
		Changes     []struct{ Line string }
		PlannedWith string `json:"planned_with"`
		Addresses   struct{ Add, Delete []string }
		SyncDaemon  struct{ Managed bool } `json:"sync_daemon"`
	}
	if err := json.Unmarshal([]byte(out), &jv); err != nil || code != exitChanges || len(jv.Changes) != 1 ||
		jv.Changes[0].Line != "+ destination 198.51.100.3:80 in tcp/192.0.2.10:80 weight 4 forward nat" ||
		!strings.Contains(jv.PlannedWith, "generation 41") || len(jv.Addresses.Delete) != 1 || jv.SyncDaemon.Managed {
		t.Fatalf("json plan of an edit: code %d, %v\n%s%s", code, err, out, errs)
	}
}

// TestApplyThroughTheDaemon: apply asks the daemon, prints the round's
// operations and maps its outcome to the exit code; apply --once refuses
// while a daemon answers and leaves the kernel alone.
func TestApplyThroughTheDaemon(t *testing.T) {
	d, f := fakeDeps(t)
	dir := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": webFile(10)})
	line := "~ destination 198.51.100.1:80 in tcp/192.0.2.10:80 weight 10 -> 20"
	for _, tc := range []struct {
		res            daemon.ApplyResult
		code           int
		stdout, stderr string
	}{
		{daemon.ApplyResult{Outcome: daemon.ApplyApplied, Generation: 7, Ops: []string{line}, Applied: 1}, exitChanges,
			line + "\nApplied generation 7: 1 operations.\n", ""},
		{daemon.ApplyResult{Outcome: daemon.ApplyApplied, Generation: 8, Ops: []string{}}, exitNoChanges,
			"Applied generation 8: no changes: the kernel matches the configuration.\n", ""},
		{daemon.ApplyResult{Outcome: daemon.ApplyHeld, Generation: 9, Held: "mass-delete guard: ...", Ops: []string{"  held: - service tcp/192.0.2.11:80"}}, exitError,
			"  held: - service tcp/192.0.2.11:80\nHELD BACK: mass-delete guard: ...\n", "held back"},
		{daemon.ApplyResult{Outcome: daemon.ApplyRejected, Generation: 9, Error: "load /etc/seesaw: web.yaml:4:27: ..."}, exitError,
			"", "rejected the configuration; generation 9 keeps running:\nload /etc/seesaw: web.yaml:4:27"},
		{daemon.ApplyResult{Outcome: daemon.ApplyFailed, Generation: 10, Applied: 1, Failed: 1, Error: "1 of 2 operations failed"}, exitError,
			"", "1 operations applied, 1 failed: 1 of 2 operations failed"},
	} {
		socket, applies := fakeDaemon(t, &daemon.PlanInputs{}, &tc.res)
		code, out, errs := runWith(d, runApply, "--socket", socket)
		if code != tc.code || out != tc.stdout || !strings.Contains(errs, tc.stderr) || *applies != 1 {
			t.Errorf("apply with outcome %s: code %d, %d requests\nstdout %q\nstderr %q", tc.res.Outcome, code, *applies, out, errs)
		}
	}

	socket, applies := fakeDaemon(t, &daemon.PlanInputs{}, &daemon.ApplyResult{})
	code, out, errs := runWith(d, runApply, "--once", "--config-dir", dir, "--socket", socket)
	if code != exitError || out != "" || !strings.Contains(errs, "refused: a daemon is running on "+socket) || *applies != 0 || rendered(t, f) != "" {
		t.Fatalf("apply --once beside a daemon: code %d\n%s%s\nkernel:\n%s", code, out, errs, rendered(t, f))
	}
	if code, _, errs := runWith(d, runApply, "--config-dir", dir, "--socket", socket); code != exitError || !strings.Contains(errs, "--config-dir applies to apply --once only") {
		t.Fatalf("apply --config-dir through the daemon: code %d %s", code, errs)
	}
	code, _, errs = runWith(d, runApply, "--config-dir", dir)
	if code != exitError || !strings.Contains(errs, "--config-dir applies to apply --once only") {
		t.Fatalf("apply without --once: code %d %s", code, errs)
	}
	code, _, errs = runWith(d, runApply)
	if code != exitError || !strings.Contains(errs, "no daemon answered on ") || !strings.Contains(errs, "apply --once") {
		t.Fatalf("apply with no daemon: code %d %s", code, errs)
	}
	// No daemon: apply --once as before.
	if code, _, errs := runWith(d, runApply, "--once", "--config-dir", dir); code != exitChanges || !strings.Contains(rendered(t, f), "-w 10") {
		t.Fatalf("apply --once without a daemon: code %d %s", code, errs)
	}
}

// TestPlanWithTheDaemonKeepsTheFallback: the daemon's backends are
// unhealthy and its fallback serves; plan with its inputs changes nothing,
// plans a fallback added to the files as one more in use, and plan without
// them brings the backends back and takes the fallback out.
func TestPlanWithTheDaemonKeepsTheFallback(t *testing.T) {
	d, f := fakeDeps(t)
	vip := netip.MustParsePrefix("192.0.2.10/32")
	d = withAddresses(d, map[string][]netip.Prefix{"eth1": {netip.MustParsePrefix("192.0.2.2/24"), vip}})
	web := webFile(10) + "    fallback: [{address: 203.0.113.99}]\n"
	dir := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": web})
	svc := kernel.NewServiceKey(kernel.TCP, netip.MustParseAddr("192.0.2.10"), 80)
	c, _ := f.Dial(kernel.Options{})
	defer c.Close()
	dest := func(addr string, w uint32) kernel.Op {
		return kernel.Op{Kind: kernel.AddDestination, Service: svc, Destination: kernel.NewDestinationKey(netip.MustParseAddr(addr), 80),
			DestinationConfig: kernel.DestinationConfig{Weight: w, Forward: kernel.ForwardNAT}}
	}
	if _, err := c.Apply(t.Context(), []kernel.Op{{Kind: kernel.AddService, Service: svc, ServiceConfig: kernel.ServiceConfig{Scheduler: "wrr"}},
		dest("198.51.100.1", 0), dest("198.51.100.2", 0), dest("203.0.113.99", 1)}); err != nil {
		t.Fatal(err)
	}
	down := func(addr string) daemon.BackendHealth {
		return daemon.BackendHealth{Key: reconcile.BackendKey{Service: "web", Backend: netip.MustParseAddrPort(addr + ":0")}, Healthy: false}
	}
	pi := &daemon.PlanInputs{Generation: 7, HaveConfig: true, Master: true, Now: d.now(),
		Health: []daemon.BackendHealth{down("198.51.100.1"), down("198.51.100.2")}, States: map[string]bool{"web": true},
		Held: []reconcile.Address{{Interface: "eth1", Prefix: vip}}}
	socket, _ := fakeDaemon(t, pi, nil)

	if code, out, errs := runWith(d, runPlan, "--config-dir", dir, "--socket", socket); code != exitOK || !strings.Contains(out, "No changes: the kernel matches the configuration.") {
		t.Fatalf("plan with the daemon while the fallback serves: code %d\n%s%s", code, out, errs)
	}
	two := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": strings.Replace(web, "[{address: 203.0.113.99}]", "[{address: 203.0.113.99}, {address: 203.0.113.98, weight: 2}]", 1)})
	code, out, errs := runWith(d, runPlan, "--config-dir", two, "--socket", socket)
	if code != exitChanges || !strings.Contains(out, "+ destination 203.0.113.98:80 in tcp/192.0.2.10:80 weight 2 forward nat (fallback)\n") || strings.Count(out, " destination ") != 1 {
		t.Fatalf("plan with a second fallback: code %d\n%s%s", code, out, errs)
	}
	code, out, _ = runWith(d, runPlan, "--config-dir", dir, "--socket", socket, "--without-daemon")
	if code != exitChanges || strings.Count(out, "weight 0 -> ") != 2 || !strings.Contains(out, "- destination 203.0.113.99:80 from tcp/192.0.2.10:80") {
		t.Fatalf("plan without the daemon should bring the backends back and take the fallback out: code %d\n%s", code, out)
	}
}
