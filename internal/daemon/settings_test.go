package daemon

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// TestDaemonKeepsNodeSettings: the daemon applies node.ipvs (a timeout
// through its kernel client, the sysctls through its sysctls), counts the
// ops in status and metrics, and a sysctl write that fails is a failed op
// in both.
func TestDaemonKeepsNodeSettings(t *testing.T) {
	d, f := fakeDeps(t)
	sys := kerneltest.NewIPVSSysctls()
	sys.FailSet("net/ipv4/vs/sloppy_tcp", syscall.EPERM)
	d.sysctls = sys
	node := "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]}, ipvs: {timeouts: {udp: 60s}, sloppy_tcp: true}}\n"
	dir := writeConfig(t, map[string]string{"node.yaml": node, "web.yaml": webFile(1)})
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	runTestDaemon(t, d, "--config-dir", dir, "--control-socket", socket, "--metrics-address", "127.0.0.1:0")
	c, err := f.Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	eventually(t, "the udp timeout", func() bool {
		to, err := c.Timeouts(context.Background())
		return err == nil && to.UDP == 60 && to.TCP == 900
	})
	eventually(t, "the default sysctls", func() bool {
		a, _ := sys.Get("net/ipv4/vs/expire_nodest_conn")
		b, _ := sys.Get("net/ipv4/vs/expire_quiescent_template")
		return a == "1" && b == "1"
	})
	eventually(t, "the control socket and the metrics listener", func() bool {
		return ctl(socket, "status") == nil && statusOf(t, socket).Metrics != ""
	})
	st := statusOf(t, socket)
	if st.LastRound.Failed[settingSysctl] != 1 || !strings.Contains(st.LastRound.Error, "net.ipv4.vs.sloppy_tcp") {
		t.Errorf("status last round: failed %v, error %q: want the sloppy_tcp write failed", st.LastRound.Failed, st.LastRound.Error)
	}
	body := scrape(t, st.Metrics)
	for _, line := range []string{
		`seesaw_node_setting_operations_total{result="applied",setting="set_ipvs_timeout"} 1`,
		`seesaw_node_setting_operations_total{result="applied",setting="set_sysctl"} 2`,
	} {
		if !strings.Contains(body, line+"\n") {
			t.Errorf("metrics lack %q", line)
		}
	}
	if !strings.Contains(body, `seesaw_node_setting_operations_total{result="failed",setting="set_sysctl"} `) {
		t.Error("metrics lack the failed sysctl count")
	}
}
