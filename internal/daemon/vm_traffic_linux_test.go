package daemon

import (
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestTrafficAgainstRealIPVS runs the daemon in the VM with a NAT service
// whose two backends listen on dummy0 addresses, opens connections to the
// VIP from the VM itself (IPVS schedules local clients too) and requires
// the kernel's counters on /metrics and in status: connections, packets
// and bytes of the service and of its backends.
func TestTrafficAgainstRealIPVS(t *testing.T) {
	requireVM(t)
	ipvsadm(t, "-C")
	for _, a := range []string{"198.51.100.41/32", "198.51.100.42/32"} {
		if out, err := exec.Command("ip", "addr", "add", a, "dev", "dummy0").CombinedOutput(); err != nil {
			t.Fatalf("ip addr add %s: %v: %s", a, err, out)
		}
		t.Cleanup(func() { exec.Command("ip", "addr", "del", a, "dev", "dummy0").Run() })
	}
	_, p1 := loopbackServer(t, "198.51.100.41")
	_, p2 := loopbackServer(t, "198.51.100.42")
	dir := writeConfig(t, map[string]string{"node.yaml": vmNode,
		"web.yaml": fmt.Sprintf("services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n    forward: nat\n    scheduler: rr\n"+
			"    backends: [{address: 198.51.100.41, port: %d}, {address: 198.51.100.42, port: %d}]\n", p1, p2)})
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	d := startVMDaemon(t, dir, "--control-socket", socket, "--metrics-address", "127.0.0.1:0")
	eventually(t, "the metrics listener", func() bool { return ctl(socket, "status") == nil && statusOf(t, socket).Metrics != "" })
	eventually(t, "the service in the kernel", func() bool {
		return regexp.MustCompile(`-r 198\.51\.100\.42:`).MatchString(ipvsadm(t, "-Sn"))
	})
	const conns = 10
	for range conns {
		c, err := net.DialTimeout("tcp", "192.0.2.10:80", 2*time.Second)
		if err == nil {
			c.Write([]byte("x"))
			c.Close()
		}
	}
	value := func(body, series string) uint64 {
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\d+)$`).FindStringSubmatch(body)
		if m == nil {
			return 0
		}
		v, _ := strconv.ParseUint(m[1], 10, 64)
		return v
	}
	svc := `ipvs_service="tcp/192.0.2.10:80",service="web"`
	var body string
	// The kernel folds its per-CPU counters into the dumped ones every 2 s.
	eventually(t, "the connections in the kernel's counters", func() bool {
		body = scrape(t, statusOf(t, socket).Metrics)
		return value(body, `seesaw_ipvs_service_connections_total{`+svc+`}`) >= conns
	})
	b1 := fmt.Sprintf(`backend="198.51.100.41:%d",`, p1)
	b2 := fmt.Sprintf(`backend="198.51.100.42:%d",`, p2)
	for _, s := range []string{
		`seesaw_ipvs_backend_connections_total{` + b1 + svc + `}`,
		`seesaw_ipvs_backend_connections_total{` + b2 + svc + `}`,
		`seesaw_ipvs_backend_packets_total{` + b1 + `direction="in",` + svc + `}`,
		`seesaw_ipvs_backend_bytes_total{` + b2 + `direction="in",` + svc + `}`,
		`seesaw_ipvs_service_packets_total{direction="in",` + svc + `}`,
		`seesaw_ipvs_service_bytes_total{direction="in",` + svc + `}`,
	} {
		if value(body, s) == 0 {
			t.Errorf("%s is 0 or absent after %d connections (rr over 2 backends)", s, conns)
		}
	}
	var total uint64
	for _, b := range statusOf(t, socket).Services[0].Backends {
		if b.Traffic == nil {
			t.Fatalf("status: backend %s has no traffic", b.Address)
		}
		total += b.Traffic.Conns
	}
	if total < conns {
		t.Errorf("status: the backends' connections add up to %d, want ≥ %d", total, conns)
	}
	if t.Failed() {
		t.Logf("ipvsadm -Ln --stats:\n%s\nmetrics:\n%s\nlog:\n%s", ipvsadm(t, "-Ln", "--stats"), body, d.logs.String())
	}
}
