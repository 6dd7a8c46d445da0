package daemon

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/reconcile"
)

func TestConcurrentDrainsAndEnablesAllTakeEffect(t *testing.T) {
	d, _ := fakeDeps(t)
	dir := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": webFile(1)})
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	runTestDaemon(t, d, "--config-dir", dir, "--control-socket", socket, "--metrics-address", "off")
	eventually(t, "the control socket", func() bool { return ctl(socket, "status") == nil })
	ref := func(i int) string { return fmt.Sprintf("198.51.100.%d", i) }
	for i := 1; i <= 40; i++ {
		if err := ctl(socket, "drain", ref(i)); err != nil {
			t.Fatal(err)
		}
	}
	// 40 requests at once: enable 1..20, drain 41..60; the rest stay drained.
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := range 20 {
		wg.Go(func() { errs[i] = ctl(socket, "enable", ref(i+1)) })
		wg.Go(func() { errs[20+i] = ctl(socket, "drain", ref(41+i)) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("request %d: %v", i, err)
		}
	}
	var want []string
	for i := 21; i <= 60; i++ {
		want = append(want, ref(i))
	}
	slices.Sort(want)
	if got := statusOf(t, socket).Drained; !slices.Equal(got, want) {
		t.Fatalf("drained by hand after concurrent enables and drains:\n%q\nwant %q", got, want)
	}
	wantSavedDrains(t, dir+".state", want)
}

func TestDrainWritesStateDirAndDoesNotReload(t *testing.T) {
	d, f := fakeDeps(t)
	dir := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": webFile(1)})
	state := filepath.Join(t.TempDir(), "lib", "seesaw") // created by the first drain
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	logs := runTestDaemon(t, d, "--config-dir", dir, "--state-dir", state, "--control-socket", socket, "--metrics-address", "off")
	eventually(t, "the control socket", func() bool { return ctl(socket, "status") == nil })
	// The socket answers before the first load is done: count from the
	// first round on.
	eventually(t, "the first round", func() bool { return strings.Contains(logs.String(), "first round done") })
	loads := func() int { return strings.Count(logs.String(), "configuration loaded") }
	before := loads()
	for _, b := range []string{"198.51.100.1", "198.51.100.2", "198.51.100.1"} {
		if err := ctl(socket, "drain", b); err != nil {
			t.Fatal(err)
		}
	}
	if err := ctl(socket, "enable", "198.51.100.2"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the drain in the kernel", func() bool { return strings.Contains(rendered(t, f), "-r 198.51.100.1:80 -m -w 0") })
	time.Sleep(2 * reconcile.DefaultDebounce.Max) // a reload would have fired by now
	if n := loads(); n != before {
		t.Fatalf("drains reloaded the configuration %d times", n-before)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 2 {
		t.Fatalf("config directory after drains: %v, %v; want node.yaml and web.yaml only", entries, err)
	}
	wantSavedDrains(t, state, []string{"198.51.100.1"})
}

func TestLegacyOverridesFileIsMigratedOnce(t *testing.T) {
	d, f := fakeDeps(t)
	dir := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": webFile(1),
		legacyOverridesFile: `{"drained": ["198.51.100.2"]}`})
	state := filepath.Join(t.TempDir(), "state")
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	args := []string{"--config-dir", dir, "--state-dir", state, "--control-socket", socket, "--metrics-address", "off"}
	start := func() (func(), *syncBuffer) {
		ctx, cancel := context.WithCancel(context.Background())
		logs, done := &syncBuffer{}, make(chan int, 1)
		go func() { done <- runDaemon(ctx, d, make(chan os.Signal), args, logs, logs) }()
		return func() {
			cancel()
			if code := <-done; code != exitOK {
				t.Errorf("exit code %d\n%s", code, logs)
			}
		}, logs
	}

	stop, logs := start()
	eventually(t, "the migrated drain in the kernel", func() bool { return strings.Contains(rendered(t, f), "-r 198.51.100.2:80 -m -w 0") })
	eventually(t, "the control socket", func() bool { return ctl(socket, "status") == nil })
	if got := statusOf(t, socket).Drained; !slices.Equal(got, []string{"198.51.100.2"}) {
		t.Fatalf("drained after migration: %q", got)
	}
	if _, err := os.Lstat(filepath.Join(dir, legacyOverridesFile)); !os.IsNotExist(err) {
		t.Fatalf("the old overrides file is still in the config directory: %v", err)
	}
	if err := ctl(socket, "enable", "198.51.100.2"); err != nil {
		t.Fatal(err)
	}
	stop()
	if !strings.Contains(logs.String(), "moved the overrides file to the state directory") {
		t.Errorf("no log line for the migration:\n%s", logs)
	}

	// An old file that comes back (a deploy of an old checkout) is ignored:
	// the state directory holds the newer decision.
	if err := os.WriteFile(filepath.Join(dir, legacyOverridesFile), []byte(`{"drained": ["198.51.100.1"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	stop, logs = start()
	defer stop()
	eventually(t, "the control socket", func() bool { return ctl(socket, "status") == nil })
	if got := statusOf(t, socket).Drained; len(got) != 0 {
		t.Fatalf("drained after a restart with a stale old file: %q, want none\n%s", got, logs)
	}
	if !strings.Contains(logs.String(), "ignoring the overrides file in the config directory") {
		t.Errorf("no warning for the stale old file:\n%s", logs)
	}
}
