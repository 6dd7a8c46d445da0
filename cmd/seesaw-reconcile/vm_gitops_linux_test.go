package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/daemon"
	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// vmListener accepts and closes TCP connections on addr:0 until the test ends.
func vmListener(t *testing.T, addr string) int {
	t.Helper()
	ln, err := net.Listen("tcp", addr+":0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestPlanAndApplyWithTheDaemonInVM runs the daemon against the real IPVS
// kernel with one backend unhealthy and one drained by hand: plan with its
// inputs shows nothing to do (without them, both backends come back), a
// weight edit is the one change, apply --once is refused beside it, and
// apply returns once the daemon's round has put the edit into the kernel.
func TestPlanAndApplyWithTheDaemonInVM(t *testing.T) {
	requireVM(t)
	ipvsadm(t, "-C")
	p2, p4 := vmListener(t, "127.0.0.2"), vmListener(t, "127.0.0.4")
	closed, err := net.Listen("tcp", "127.0.0.3:0")
	if err != nil {
		t.Fatal(err)
	}
	p3 := closed.Addr().(*net.TCPAddr).Port
	closed.Close() // nothing listens: the check fails
	web := func(w int) string {
		return fmt.Sprintf("services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n    forward: nat\n"+
			"    checks: [{type: tcp, interval: 100ms, timeout: 80ms, fall: 2, rise: 1}]\n"+
			"    backends: [{address: 127.0.0.2, port: %d, weight: %d}, {address: 127.0.0.3, port: %d, weight: 5}, {address: 127.0.0.4, port: %d, weight: 5}]\n",
			p2, w, p3, p4)
	}
	dir := writeConfig(t, map[string]string{"node.yaml": vmNode, "web.yaml": web(5)})
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	var logs strings.Builder
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- daemon.Run(ctx, daemon.Options{ConfigDir: dir, ControlSocket: socket, MetricsAddress: "off", Resync: time.Second,
			Log: slog.New(slog.NewTextHandler(&logs, nil))}, make(chan os.Signal))
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("daemon: %v", err)
		}
		exec.Command("ip", "addr", "del", "192.0.2.10/32", "dev", "dummy0").Run() // a standalone node keeps its VIPs
		if t.Failed() {
			t.Logf("daemon log:\n%s", logs.String())
		}
	})
	weight := func(port, w int, addr string) func() bool {
		re := regexp.MustCompile(fmt.Sprintf(`-r %s:%d -[a-z] -w %d\n`, regexp.QuoteMeta(addr), port, w))
		return func() bool { return re.MatchString(ipvsadm(t, "-Sn")) }
	}
	testenv.Eventually(t, 20*time.Second, weight(p3, 0, "127.0.0.3"), "the unhealthy backend at weight 0")
	testenv.Eventually(t, 20*time.Second, weight(p2, 5, "127.0.0.2"), "the healthy backend at weight 5")
	if err := daemon.NewClient(socket).Drain("127.0.0.4"); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 20*time.Second, weight(p4, 0, "127.0.0.4"), "the drained backend at weight 0")

	var out, errs strings.Builder
	plan := func(args ...string) int {
		out.Reset()
		errs.Reset()
		return runPlan(realDeps(), append(args, "--socket", socket), &out, &errs)
	}
	// (A drain by hand puts the config in force again: a new generation.)
	source := regexp.MustCompile(`^# planned with the running daemon: standalone master, generation \d+, 1 backend unhealthy, 1 drained by hand\n`)
	if code := plan("--config-dir", dir); code != exitNoChanges || !source.MatchString(out.String()) ||
		!strings.Contains(out.String(), "No changes") {
		t.Fatalf("plan with the daemon, files unchanged: code %d\n%s%s", code, out.String(), errs.String())
	}
	if code := plan("--config-dir", dir, "--without-daemon"); code != exitChanges || strings.Count(out.String(), " -> 5") != 2 {
		t.Fatalf("plan without the daemon: code %d, want both backends back at 5\n%s", code, out.String())
	}
	edited := writeConfig(t, map[string]string{"node.yaml": vmNode, "web.yaml": web(7)})
	if code := plan("--config-dir", edited); code != exitChanges || strings.Count(out.String(), "\n~ ") != 1 ||
		!strings.Contains(out.String(), fmt.Sprintf("~ destination 127.0.0.2:%d in tcp/192.0.2.10:80 weight 5 -> 7", p2)) {
		t.Fatalf("plan of a weight edit with the daemon: code %d\n%s%s", code, out.String(), errs.String())
	}

	before := ipvsadm(t, "-Sn")
	out.Reset()
	if code := runApply(realDeps(), []string{"--once", "--config-dir", edited, "--socket", socket}, &out, &errs); code != exitError ||
		!strings.Contains(errs.String(), "refused") || ipvsadm(t, "-Sn") != before {
		t.Fatalf("apply --once beside the daemon: code %d\n%s%s", code, out.String(), errs.String())
	}

	// Replace the file by a rename, as a deploy should: the watcher never
	// reads it half written.
	tmp := filepath.Join(dir, ".web.yaml.new")
	if err := os.WriteFile(tmp, []byte(web(7)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "web.yaml")); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errs.Reset()
	code := runApply(realDeps(), []string{"--socket", socket}, &out, &errs)
	if code != exitChanges && code != exitNoChanges || !strings.Contains(out.String(), "Applied generation ") {
		t.Fatalf("apply through the daemon: code %d\n%s%s", code, out.String(), errs.String())
	}
	// No waiting here: apply returned after the round.
	if !weight(p2, 7, "127.0.0.2")() || !weight(p3, 0, "127.0.0.3")() || !weight(p4, 0, "127.0.0.4")() {
		t.Fatalf("kernel after apply:\n%s\napply said:\n%s", ipvsadm(t, "-Sn"), out.String())
	}
}
