package daemon

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testenv"
	"github.com/seesaw-lb/seesaw/kernel"
)

// syncBuffer is the shared test buffer (testenv.Buffer).
type syncBuffer = testenv.Buffer

// eventually polls cond for up to 10 s (a bound, not a timing assertion).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testenv.Eventually(t, 10*time.Second, cond, "%s", what)
}

func TestDaemonFollowsConfigDirectory(t *testing.T) {
	d, f := fakeDeps(t)
	node := "node: {name: lb1, interface: eth1, resync_interval: 1s, scope: {prefixes: [192.0.2.0/24]}}\n"
	dir := writeConfig(t, map[string]string{"node.yaml": node, "web.yaml": webFile(10)})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hup := make(chan os.Signal, 1)
	var logs syncBuffer
	done := make(chan int)
	go func() {
		done <- runDaemon(ctx, d, hup, []string{"--config-dir", dir, "--control-socket", filepath.Join(t.TempDir(), "ctl.sock"), "--metrics-address", "127.0.0.1:0"}, &logs, &logs)
	}()

	has := func(s string) func() bool { return func() bool { return strings.Contains(rendered(t, f), s) } }
	eventually(t, "the service in the kernel", has("-r 198.51.100.1:80 -m -w 10"))

	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("web.yaml", webFile(20))
	eventually(t, "the weight edit", has("-r 198.51.100.1:80 -m -w 20"))

	before := rendered(t, f)
	write("web.yaml", "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 70000}]\n")
	eventually(t, "the config error in the log", func() bool { return strings.Contains(logs.String(), "web.yaml:4:") })
	if rendered(t, f) != before {
		t.Fatal("an invalid config changed the kernel")
	}
	write("web.yaml", webFile(30))
	eventually(t, "the fixed file", has("-r 198.51.100.1:80 -m -w 30"))

	write("api.yaml", strings.NewReplacer("web", "api", "192.0.2.10", "192.0.2.11").Replace(webFile(5)))
	eventually(t, "the new file's service", has("-A -t 192.0.2.11:80"))
	if err := os.Remove(filepath.Join(dir, "api.yaml")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the removed file's service gone", func() bool { return !has("192.0.2.11")() })

	// Drift by hand: the periodic resync puts the destination back.
	c, err := f.Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Apply(t.Context(), []kernel.Op{{Kind: kernel.DeleteDestination,
		Service:     kernel.NewServiceKey(kernel.TCP, netip.MustParseAddr("192.0.2.10"), 80),
		Destination: kernel.NewDestinationKey(netip.MustParseAddr("198.51.100.2"), 80)}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the resync to repair the drift", has("-r 198.51.100.2:80 -m -w 1"))

	loads := strings.Count(logs.String(), "configuration loaded")
	hup <- os.Interrupt // any value: a reload request
	eventually(t, "the SIGHUP reload", func() bool { return strings.Count(logs.String(), "configuration loaded") > loads })
	// SIGHUP parses every file again (pokes of the watcher reuse unchanged ones).
	_, after, ok := strings.Cut(logs.String(), "SIGHUP: reloading configuration")
	if !ok || !strings.Contains(after, "files=2 reparsed=2") {
		t.Fatalf("SIGHUP reload did not parse both files again:\n%s", logs.String())
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit code %d\n%s", code, logs.String())
	}
	if !has("-r 198.51.100.1:80 -m -w 30")() {
		t.Fatal("stopping changed the kernel")
	}
}
