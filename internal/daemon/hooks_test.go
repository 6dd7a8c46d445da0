package daemon

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/vrrp"
)

// hookRuns reads the environments the test hook appended for event: one
// map of SEESAW_* variables per run.
func hookRuns(t *testing.T, dir, event string) []map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, event))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var runs []map[string]string
	blocks := strings.Split(string(b), "--\n")
	for _, block := range blocks[:len(blocks)-1] { // the last is empty, or a run still writing
		if strings.TrimSpace(block) == "" {
			continue
		}
		env := map[string]string{}
		for _, l := range strings.Split(strings.TrimSpace(block), "\n") {
			k, v, _ := strings.Cut(l, "=")
			env[k] = v
		}
		runs = append(runs, env)
	}
	return runs
}

// wantEnv fails unless env holds every key of want with its value.
func wantEnv(t *testing.T, what string, env, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s: %s=%q, want %q (env %v)", what, k, env[k], v, env)
		}
	}
}

// TestNotifyHooksRunOnVRRPAndServiceEvents: a daemon runs its hook when it
// becomes VRRP master, when a service falls below its watermark, when the
// hook's config changes at reload (live), and on "stop" at shutdown, which
// the exit waits for.
func TestNotifyHooksRunOnVRRPAndServiceEvents(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("hooks run on Unix only")
	}
	out := t.TempDir()
	prog := filepath.Join(t.TempDir(), "hook.sh")
	body := "#!/bin/sh\n{ env | grep '^SEESAW_' | sort; echo --; } >> '" + out + "'/\"$SEESAW_EVENT\"\n" +
		"[ \"$SEESAW_EVENT\" = stop ] && sleep 0.3 && echo done >> '" + out + "'/stop-finished\nexit 0\n"
	if err := os.WriteFile(prog, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	ln, port := loopbackServer(t, "127.0.0.2")
	hooks := func(on string) string {
		return fmt.Sprintf("  notify:\n    - {name: record, on: [%s], run: [%q, ignored-arg], timeout: 10s}\n", on, prog)
	}
	node := "node:\n  name: lb1\n  interface: eth1\n  scope: {prefixes: [192.0.2.0/24]}\n" +
		"  vrrp: {vrid: 51, priority: 150, advert_interval: 50ms}\n"
	web := fmt.Sprintf("services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n"+
		"    watermarks: {low: 0.5, high: 0.5}\n    checks: [{type: tcp, interval: 50ms, timeout: 40ms, fall: 1, rise: 1}]\n"+
		"    backends: [{address: 127.0.0.2, port: %d}]\n", port)
	dir := writeConfig(t, map[string]string{"node.yaml": node + hooks("master, backup, service_down"), "web.yaml": web})

	d, _ := fakeDeps(t)
	seg := &memSegment{}
	d.listenVRRP = func(vrrp.Config) (vrrp.Conn, error) { return seg.attach("203.0.113.1"), nil }
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs, done := &syncBuffer{}, make(chan int, 1)
	hup := make(chan os.Signal, 1)
	go func() {
		done <- runDaemon(ctx, d, hup, []string{"--config-dir", dir, "--control-socket", socket, "--metrics-address", "off"}, logs, logs)
	}()
	defer func() {
		if t.Failed() {
			t.Logf("daemon log:\n%s", logs.String())
		}
	}()

	eventually(t, "the backup and master hooks", func() bool {
		return len(hookRuns(t, out, "backup")) == 1 && len(hookRuns(t, out, "master")) == 1
	})
	wantEnv(t, "backup", hookRuns(t, out, "backup")[0], map[string]string{"SEESAW_HOOK": "record", "SEESAW_NODE": "lb1",
		"SEESAW_INSTANCE": "default", "SEESAW_STATE": "backup", "SEESAW_PREVIOUS_STATE": "initialize", "SEESAW_VIPS": "192.0.2.10"})
	master := hookRuns(t, out, "master")[0]
	wantEnv(t, "master", master, map[string]string{"SEESAW_EVENT": "master", "SEESAW_STATE": "master",
		"SEESAW_PREVIOUS_STATE": "backup", "SEESAW_REASON": "master-down", "SEESAW_VIPS": "192.0.2.10", "SEESAW_SERVICE": ""})
	if _, err := time.Parse(time.RFC3339Nano, master["SEESAW_TIME"]); err != nil {
		t.Errorf("SEESAW_TIME: %v", err)
	}
	if len(hookRuns(t, out, "service_down")) != 0 {
		t.Fatal("service_down ran while the service was up")
	}

	ln.Close() // the backend's check fails: web falls below its watermark
	eventually(t, "the service_down hook", func() bool { return len(hookRuns(t, out, "service_down")) == 1 })
	wantEnv(t, "service_down", hookRuns(t, out, "service_down")[0], map[string]string{"SEESAW_EVENT": "service_down",
		"SEESAW_SERVICE": "web", "SEESAW_STATE": "down", "SEESAW_PREVIOUS_STATE": "up", "SEESAW_VIPS": "192.0.2.10",
		"SEESAW_INSTANCE": "default", "SEESAW_NODE": "lb1"})

	// A reload that subscribes the hook to "stop": live, no restart.
	if err := os.WriteFile(filepath.Join(dir, "node.yaml"), []byte(node+hooks("master, stop")), 0o600); err != nil {
		t.Fatal(err)
	}
	hup <- os.Interrupt
	eventually(t, "the reload", func() bool { return statusOf(t, socket).Generation >= 2 })
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit code %d", code)
	}
	stops := hookRuns(t, out, "stop")
	if len(stops) != 1 {
		t.Fatalf("stop ran %d times, want 1", len(stops))
	}
	wantEnv(t, "stop", stops[0], map[string]string{"SEESAW_STATE": "stop", "SEESAW_PREVIOUS_STATE": "master", "SEESAW_REASON": "shutdown"})
	if b, _ := os.ReadFile(filepath.Join(out, "stop-finished")); string(b) != "done\n" {
		t.Error("the daemon exited before the stop hook finished")
	}
	for _, want := range []string{"msg=\"hook ran\" hook=record event=master", "event=service_down"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if runs := len(hookRuns(t, out, "backup")); runs != 1 {
		t.Errorf("backup ran %d times, want 1", runs)
	}
}
