package vmlab

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
)

// fakeDaemon is a seesaw-reconcile on PATH that prints its arguments and
// runs until SIGTERM: enough to see what Daemon starts and how it keeps
// the logs (the VM suites run the real one).
const fakeDaemon = `#!/bin/sh
trap 'echo "stopping"; exit 0' TERM
echo "args: $*"
while :; do sleep 0.05; done
`

// TestDaemonRestartKeepsLogs: Daemon runs seesaw-reconcile with its
// directories, metrics off and --state-dir only when set; Stop waits for
// the exit; a restart keeps the earlier run's log before a marker line.
func TestDaemonRestartKeepsLogs(t *testing.T) {
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "seesaw-reconcile"), []byte(fakeDaemon), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	d := &Daemon{ConfigDir: "/c", Socket: "/s"}
	if d.Running() || d.Log() != "" || !d.Stop(syscall.SIGTERM) {
		t.Fatal("a daemon never started is not stopped with an empty log")
	}
	waitLog := func(s string) {
		t.Helper()
		for end := time.Now().Add(10 * time.Second); !strings.Contains(d.Log(), s); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("log lacks %q: %q", s, d.Log())
			}
		}
	}
	d.Start(t)
	waitLog("args: run --config-dir /c --control-socket /s --metrics-address off\n")
	if !d.Running() {
		t.Fatal("not running after Start")
	}
	if !d.Stop(syscall.SIGTERM) || d.Running() {
		t.Fatal("still running after Stop")
	}
	d.StateDir = "/st"
	d.Start(t)
	waitLog("args: run --config-dir /c --control-socket /s --state-dir /st --metrics-address off\n")
	want := "args: run --config-dir /c --control-socket /s --metrics-address off\nstopping\n--- restarted ---\nargs: run"
	if !strings.HasPrefix(d.Log(), want) {
		t.Errorf("log after a restart:\n%s\nwant it to start with:\n%s", d.Log(), want)
	}
}

// TestNodeYAMLLoads: NodeYAML with a suite's extra keys is a node.yaml
// the daemon's loader accepts, with the name, interface and resync given.
func TestNodeYAMLLoads(t *testing.T) {
	dir := t.TempDir()
	y := NodeYAML("lb2", "192.0.2.0/24", "  mass_delete: {max_share: 0.5}\n")
	if err := os.WriteFile(filepath.Join(dir, "node.yaml"), []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := desired.Load(dir)
	if err != nil {
		t.Fatalf("load %q: %v", y, err)
	}
	if n := cfg.Node; n.Name != "lb2" || len(n.Interfaces) != 1 || n.Interfaces[0] != "eth0" || n.ResyncInterval != 5*time.Second {
		t.Errorf("node %+v from %q", n, y)
	}
}
