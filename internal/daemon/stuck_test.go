package daemon

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
)

func TestDaemonAnswersWhileTheKernelIsStuck(t *testing.T) {
	d, f := fakeDeps(t)
	d.openKernel = func() (kernel.IPVS, error) { return f.Dial(kernel.Options{Timeout: -1}) } // stuck until Resume
	dir := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": webFile(1)})
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	runTestDaemon(t, d, "--config-dir", dir, "--control-socket", socket, "--metrics-address", "127.0.0.1:0")
	defer f.Resume()
	eventually(t, "the service in the kernel", func() bool { return strings.Contains(rendered(t, f), "-r 198.51.100.1:80 -m -w 1") })
	eventually(t, "the metrics listener", func() bool { return ctl(socket, "status") == nil && statusOf(t, socket).Metrics != "" })
	metricsAt := statusOf(t, socket).Metrics

	f.Stall()
	if err := ctl(socket, "drain", "198.51.100.1"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a round stuck in the kernel", func() bool { return f.Stalled() > 0 })
	answered := make(chan error, 1)
	go func() {
		for range 100 { // every command is a health and a config input to the stuck loop
			if err := ctl(socket, "drain", "198.51.100.2"); err != nil {
				answered <- err
				return
			}
			if err := ctl(socket, "enable", "198.51.100.2"); err != nil {
				answered <- err
				return
			}
		}
		if err := ctl(socket, "status"); err != nil {
			answered <- err
			return
		}
		resp, err := http.Get("http://" + metricsAt + "/metrics")
		if err == nil {
			resp.Body.Close()
		}
		answered <- err
	}()
	select {
	case err := <-answered:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second): // a bound, not a timing assertion
		t.Fatal("control and metrics stopped answering while a round was stuck in the kernel")
	}
	if f.Stalled() == 0 {
		t.Fatal("the kernel answered during the test: nothing was stuck")
	}
	f.Resume()
	eventually(t, "the drain applied once the kernel answers", func() bool {
		r := rendered(t, f)
		return strings.Contains(r, "-r 198.51.100.1:80 -m -w 0") && strings.Contains(r, "-r 198.51.100.2:80 -m -w 1")
	})
}
