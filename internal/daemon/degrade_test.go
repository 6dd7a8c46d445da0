package daemon

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDaemonRunsWithoutItsMetricsAddress(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := busy.Addr().String()
	d, f := fakeDeps(t)
	dir := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": webFile(1)})
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	runTestDaemon(t, d, "--config-dir", dir, "--control-socket", socket, "--metrics-address", addr)
	eventually(t, "the service in the kernel", func() bool { return strings.Contains(rendered(t, f), "-r 198.51.100.1:80 -m -w 1") })
	eventually(t, "the metrics error on the control socket", func() bool {
		return ctl(socket, "status") == nil && strings.Contains(statusOf(t, socket).Degraded[partMetrics], "address already in use")
	})
	if st := statusOf(t, socket); st.Metrics != "" {
		t.Fatalf("metrics address %q reported while it is taken", st.Metrics)
	}
	busy.Close()
	eventually(t, "the metrics listener once the address is free", func() bool {
		st := statusOf(t, socket)
		return st.Metrics == addr && len(st.Degraded) == 0
	})
	if body := scrape(t, addr); !strings.Contains(body, `seesaw_degraded{part="metrics"} 0`) {
		t.Fatalf("metrics after recovery lack seesaw_degraded{part=\"metrics\"} 0:\n%s", body)
	}
}

func TestDaemonRunsWithoutItsControlSocket(t *testing.T) {
	d, f := fakeDeps(t)
	dir := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": webFile(1)})
	blocker := filepath.Join(t.TempDir(), "run") // a file where the socket's directory should be
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	socket := filepath.Join(blocker, "ctl.sock")
	metrics := freeAddr(t)
	runTestDaemon(t, d, "--config-dir", dir, "--control-socket", socket, "--metrics-address", metrics)
	eventually(t, "the service in the kernel", func() bool { return strings.Contains(rendered(t, f), "-r 198.51.100.1:80 -m -w 1") })
	eventually(t, "the control socket error on the status page", func() bool {
		return strings.Contains(pageStatus(t, metrics).Degraded[partControl], socket)
	})
	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the control socket once its directory can be made", func() bool { return ctl(socket, "status") == nil })
	if st := statusOf(t, socket); len(st.Degraded) != 0 {
		t.Fatalf("degraded after recovery: %q", st.Degraded)
	}
}

// freeAddr returns a loopback address:port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// pageStatus returns the status page's /status.json at addr (zero while it
// cannot be read).
func pageStatus(t *testing.T, addr string) StatusReport {
	t.Helper()
	var r StatusReport
	resp, err := http.Get("http://" + addr + "/status.json")
	if err != nil {
		return r
	}
	defer resp.Body.Close()
	_ = json.NewDecoder(resp.Body).Decode(&r)
	return r
}

func TestSecondDaemonOnTheSameControlSocketStops(t *testing.T) {
	d, _ := fakeDeps(t)
	dir := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": webFile(1)})
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	runTestDaemon(t, d, "--config-dir", dir, "--control-socket", socket, "--metrics-address", "off")
	eventually(t, "the first daemon's control socket", func() bool { return ctl(socket, "status") == nil })
	var logs syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runDaemon(t.Context(), d, make(chan os.Signal), []string{"--config-dir", dir, "--control-socket", socket, "--metrics-address", "off"}, &logs, &logs)
	}()
	select {
	case code := <-done:
		if code != exitFailure || !strings.Contains(logs.String(), "another daemon is listening") {
			t.Fatalf("second daemon: exit %d\n%s", code, logs.String())
		}
	case <-time.After(20 * time.Second): // hang guard
		t.Fatalf("a second daemon kept running beside the first\n%s", logs.String())
	}
	if err := ctl(socket, "status"); err != nil {
		t.Fatalf("the first daemon's socket after the second stopped: %v", err)
	}
}
