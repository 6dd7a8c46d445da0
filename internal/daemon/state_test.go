package daemon

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// runTestDaemon runs the daemon on the fake kernel with args until the test
// ends; it returns the log.
func runTestDaemon(t *testing.T, d deps, args ...string) *syncBuffer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs, done := &syncBuffer{}, make(chan int, 1)
	go func() { done <- runDaemon(ctx, d, make(chan os.Signal), args, logs, logs) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("exit code %d", code)
		}
		if t.Failed() {
			t.Logf("daemon log:\n%s", logs.String())
		}
	})
	return logs
}

// wantSavedDrains fails unless the overrides file in the state directory
// state lists exactly the drained backends want (sorted).
func wantSavedDrains(t *testing.T, state string, want []string) {
	t.Helper()
	path := filepath.Join(state, overridesFile)
	if saved, err := readOverrides(path); err != nil || !slices.Equal(saved.Drained, want) {
		t.Fatalf("overrides file %s: %q, %v\nwant %q", path, saved.Drained, err, want)
	}
}

func TestConcurrentDrainsAreAllKept(t *testing.T) {
	d, _ := fakeDeps(t)
	dir := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": webFile(1)})
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	runTestDaemon(t, d, "--config-dir", dir, "--control-socket", socket, "--metrics-address", "off")
	eventually(t, "the control socket", func() bool { return ctl(socket, "status") == nil })

	var want []string
	errs := make([]error, 20)
	var wg sync.WaitGroup
	for i := range errs {
		ref := fmt.Sprintf("198.51.100.%d", i+1)
		want = append(want, ref)
		wg.Go(func() { errs[i] = ctl(socket, "drain", ref) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("drain %d: %v", i+1, err)
		}
	}
	slices.Sort(want)
	if got := statusOf(t, socket).Drained; !slices.Equal(got, want) {
		t.Fatalf("drained by hand after 20 concurrent drains: %q\nwant %q", got, want)
	}
	wantSavedDrains(t, dir+".state", want)
}

func TestBadOverridesFileIsReportedNotFatal(t *testing.T) {
	for name, content := range map[string]string{"empty": "", "corrupt": `{"drained": [`} {
		t.Run(name, func(t *testing.T) {
			d, f := fakeDeps(t)
			dir := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": webFile(1)})
			state := writeConfig(t, map[string]string{overridesFile: content})
			socket := filepath.Join(t.TempDir(), "ctl.sock")
			runTestDaemon(t, d, "--config-dir", dir, "--state-dir", state, "--control-socket", socket, "--metrics-address", "127.0.0.1:0")
			eventually(t, "the service in the kernel", func() bool { return strings.Contains(rendered(t, f), "-r 198.51.100.1:80 -m -w 1") })
			eventually(t, "the control socket", func() bool { return ctl(socket, "status") == nil })
			st := statusOf(t, socket)
			if msg := st.Degraded[partOverrides]; !strings.Contains(msg, overridesFile) || !strings.Contains(msg, "started without manual drains") {
				t.Fatalf("status degraded = %q, want the overrides file's error", st.Degraded)
			}
			eventually(t, "the metrics listener", func() bool { return statusOf(t, socket).Metrics != "" })
			body := scrape(t, statusOf(t, socket).Metrics)
			for _, line := range []string{`seesaw_state_file_errors_total{file="overrides"} 1`, `seesaw_degraded{part="overrides file"} 1`} {
				if !strings.Contains(body, line+"\n") {
					t.Errorf("metrics lack %q", line)
				}
			}
			// A drain writes a good file and clears the report.
			if err := ctl(socket, "drain", "198.51.100.2"); err != nil {
				t.Fatal(err)
			}
			if st := statusOf(t, socket); len(st.Degraded) != 0 || !slices.Equal(st.Drained, []string{"198.51.100.2"}) {
				t.Fatalf("after a drain: degraded %q, drained %q", st.Degraded, st.Drained)
			}
		})
	}
}

// scrape returns the body of /metrics at addr.
func scrape(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("scrape metrics: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
