package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/vrrp"
)

// loopbackServer accepts TCP connections on addr:0 until closed.
func loopbackServer(t *testing.T, addr string) (net.Listener, uint16) {
	t.Helper()
	ln, err := net.Listen("tcp", addr+":0")
	if err != nil {
		t.Fatalf("listen on %s: %v", addr, err)
	}
	go acceptAndClose(ln)
	t.Cleanup(func() { ln.Close() })
	return ln, uint16(ln.Addr().(*net.TCPAddr).Port)
}

// acceptAndClose accepts and closes connections until ln is closed.
func acceptAndClose(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Close()
	}
}

// checkedConfig is a node and one service whose two loopback backends are
// checked by tcp every 50 ms, down after 2 failures.
func checkedConfig(p1, p2 uint16) map[string]string {
	return map[string]string{
		"node.yaml": "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]}}\n",
		"web.yaml": fmt.Sprintf("services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n    forward: nat\n"+
			"    watermarks: {low: 0.1, high: 0.2}\n"+
			"    checks: [{type: tcp, interval: 50ms, timeout: 40ms, fall: 2, rise: 1}]\n"+
			"    backends: [{address: 127.0.0.2, port: %d}, {address: 127.0.0.3, port: %d}]\n", p1, p2),
	}
}

// ctl sends one control request to socket: status, failover, drain
// BACKEND or enable BACKEND.
func ctl(socket string, args ...string) error {
	c := NewClient(socket)
	switch args[0] {
	case "status":
		_, err := c.Status()
		return err
	case "failover":
		return c.Failover()
	case "drain":
		return c.Drain(args[1])
	case "enable":
		return c.Enable(args[1])
	}
	return fmt.Errorf("no control request %q", args[0])
}

func statusOf(t *testing.T, socket string) StatusReport {
	t.Helper()
	r, err := NewClient(socket).Status()
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	return r
}

func TestDaemonChecksDrainAndControl(t *testing.T) {
	_, p1 := loopbackServer(t, "127.0.0.2")
	ln3, p3 := loopbackServer(t, "127.0.0.3")
	d, f := fakeDeps(t)
	dir := writeConfig(t, checkedConfig(p1, p3))
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	start := func() (context.CancelFunc, chan int, *syncBuffer) {
		ctx, cancel := context.WithCancel(context.Background())
		logs, done := &syncBuffer{}, make(chan int, 1)
		go func() {
			done <- runDaemon(ctx, d, make(chan os.Signal), []string{"--config-dir", dir, "--control-socket", socket, "--metrics-address", "127.0.0.1:0"}, logs, logs)
		}()
		return cancel, done, logs
	}
	cancel, done, logs := start()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("daemon log:\n%s", logs.String())
		}
	})
	// The fake kernel shows loopback destinations as local (-g), like IPVS.
	hasWeight := func(b string, w int) func() bool {
		return func() bool { return strings.Contains(rendered(t, f), fmt.Sprintf("-r %s -g -w %d\n", b, w)) }
	}
	b2, b3 := fmt.Sprintf("127.0.0.2:%d", p1), fmt.Sprintf("127.0.0.3:%d", p3)
	eventually(t, "both backends at weight 1", func() bool { return hasWeight(b2, 1)() && hasWeight(b3, 1)() })

	ln3.Close() // the backend stops: after fall failures it goes to weight 0
	eventually(t, "the stopped backend at weight 0", hasWeight(b3, 0))
	var down BackendReport
	eventually(t, "status to show the failed check", func() bool {
		for _, b := range statusOf(t, socket).Services[0].Backends {
			if b.Address == b3 {
				down = b
			}
		}
		return !down.Healthy && down.LastCheck != "" && down.LastCheck != "ok"
	})
	if down.Effective != 0 || down.Weight != 1 || down.Reason != "unhealthy" {
		t.Fatalf("stopped backend in status: %+v", down)
	}
	if !hasWeight(b2, 1)() {
		t.Fatalf("the running backend lost its weight:\n%s", rendered(t, f))
	}

	assertMetrics(t, statusOf(t, socket).Metrics)

	// A reload keeps the checks' state: the failed backend stays at 0 in the
	// very round that applies the edit (a reset would start it up again).
	edited := strings.Replace(checkedConfig(p1, p3)["web.yaml"], fmt.Sprintf("port: %d}", p1), fmt.Sprintf("port: %d, weight: 2}", p1), 1)
	if err := os.WriteFile(filepath.Join(dir, "web.yaml"), []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the weight edit", hasWeight(b2, 2))
	if !hasWeight(b3, 0)() {
		t.Fatalf("a reload reset the failed backend's check state:\n%s", rendered(t, f))
	}

	if err := ctl(socket, "drain", b2); err != nil {
		t.Fatalf("drain: %v", err)
	}
	eventually(t, "the drained backend at weight 0", hasWeight(b2, 0))
	if _, err := os.Stat(filepath.Join(dir+".state", overridesFile)); err != nil {
		t.Fatalf("drain was not saved in the state directory: %v", err)
	}
	if err := ctl(socket, "failover"); err == nil || !strings.Contains(err.Error(), "standalone") {
		t.Fatalf("failover on a standalone node: %v", err)
	}
	r := statusOf(t, socket)
	unhealthy := slices.ContainsFunc(r.Services[0].Backends, func(b BackendReport) bool { return !b.Healthy })
	if !slices.Equal(r.Drained, []string{b2}) || !unhealthy {
		t.Fatalf("status: drained by hand %q, want [%s]; an unhealthy backend: %v\n%+v", r.Drained, b2, unhealthy, r)
	}

	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit code %d\n%s", code, logs.String())
	}
	// The override survives a restart.
	cancel, done, logs = start()
	defer func() {
		cancel()
		<-done
	}()
	eventually(t, "the restarted daemon's status", func() bool {
		return ctl(socket, "status") == nil && statusOf(t, socket).Generation > 0
	})
	if r := statusOf(t, socket); len(r.Drained) != 1 || r.Drained[0] != b2 || !r.Services[0].Backends[0].DrainedByHand {
		t.Fatalf("drain lost over a restart: %+v\n%s", r, logs.String())
	}
	if err := ctl(socket, "enable", b2); err != nil {
		t.Fatalf("enable: %v", err)
	}
	eventually(t, "the enabled backend back at its weight", hasWeight(b2, 2))
}

func TestDaemonExitsOnSIGTERM(t *testing.T) {
	_, p := loopbackServer(t, "127.0.0.2")
	dir := writeConfig(t, checkedConfig(p, p))
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	notify := listenNotify(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childFakeEnv+"=1", "NOTIFY_SOCKET="+notify.LocalAddr().String(),
		childArgsEnv+"="+strings.Join([]string{"--config-dir", dir, "--control-socket", socket, "--metrics-address", "127.0.0.1:0"}, "\x1f"))
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("daemon log:\n%s", logs.String())
		}
	})
	eventually(t, "the child's control socket", func() bool {
		return ctl(socket, "status") == nil
	})
	expectReady(t, notify)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("daemon after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(20 * time.Second): // a hang guard, not a timing assertion
		cmd.Process.Kill()
		t.Fatalf("daemon still running 20 s after SIGTERM\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "stopped; IPVS is left as it is") {
		t.Fatalf("no clean-stop line in the log:\n%s", logs.String())
	}
	if _, err := os.Stat(socket); err == nil {
		t.Fatal("the control socket was left behind")
	}
}

// assertMetrics scrapes /metrics of a daemon whose one service "web" has one
// healthy and one failed backend, and checks names and values.
func assertMetrics(t *testing.T, addr string) {
	t.Helper()
	body := scrape(t, addr)
	for _, line := range []string{
		`seesaw_service_healthy_backends{service="web"} 1`,
		`seesaw_service_enabled_backends{service="web"} 2`,
		`seesaw_service_up{service="web"} 1`,
		`seesaw_ipvs_operations_total{op="add_service",result="applied"} 1`,
		`seesaw_ipvs_operations_total{op="add_destination",result="applied"} 2`,
		`seesaw_config_reloads_total{result="failure"} 0`,
		`seesaw_config_error_held 0`,
		`seesaw_vrrp_state{instance="",state="standalone"} 1`,
		`seesaw_checks{state="up",type="tcp"} 1`,
		`seesaw_checks{state="down",type="tcp"} 1`,
		`seesaw_check_probe_replies_unmatched_total 0`,
	} {
		if !strings.Contains(body, line+"\n") {
			t.Errorf("metrics lack %q", line)
		}
	}
	for _, re := range []string{
		`seesaw_config_reloads_total\{result="success"\} [1-9][0-9]*`,
		`seesaw_reconcile_runs_total [1-9][0-9]*`,
		`seesaw_ipvs_operations_total\{op="update_destination",result="applied"\} [1-9][0-9]*`,
		`seesaw_checks_total\{result="failure"\} [1-9][0-9]*`,
		`seesaw_checks_total\{result="success"\} [1-9][0-9]*`,
		`seesaw_check_results_total\{result="failure",type="tcp"\} [1-9][0-9]*`,
		`seesaw_check_results_total\{result="success",type="tcp"\} [1-9][0-9]*`,
		`seesaw_reconcile_apply_duration_seconds_count [1-9][0-9]*`,
		`seesaw_reconcile_plan_operations_bucket\{le="4"\} [1-9][0-9]*`,
		`seesaw_check_last_latency_seconds\{type="tcp"\} [0-9.e-]+`,
		`seesaw_backend_healthy\{backend="127\.0\.0\.2:[0-9]+",service="web"\} 1`,
		`seesaw_backend_healthy\{backend="127\.0\.0\.3:[0-9]+",service="web"\} 0`,
		`seesaw_ipvs_backend_connections_total\{backend="127\.0\.0\.3:[0-9]+",ipvs_service="tcp/192\.0\.2\.10:80",service="web"\} 0`,
	} {
		if !regexp.MustCompile(`(?m)^` + re + `$`).MatchString(body) {
			t.Errorf("metrics lack a line matching %s", re)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", body)
	}
}

func TestDaemonStopsWhenAPartFails(t *testing.T) {
	vrrpNode := "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]}, vrrp: {vrid: 51, priority: 100}}\n"
	for name, tc := range map[string]struct {
		node  string
		cause string
		setup func(*deps)
	}{
		"kernel cannot be opened": {planNode, "no such family", func(d *deps) {
			d.openKernel = func() (kernel.IPVS, error) { return nil, errors.New("open IPVS: no such family") }
		}},
		"vrrp socket cannot be opened": {vrrpNode, "listen: permission denied", func(d *deps) {
			d.listenVRRP = func(vrrp.Config) (vrrp.Conn, error) { return nil, errors.New("listen: permission denied") }
		}},
	} {
		t.Run(name, func(t *testing.T) {
			d, _ := fakeDeps(t)
			tc.setup(&d)
			dir := writeConfig(t, map[string]string{"node.yaml": tc.node, "web.yaml": webFile(1)})
			var logs syncBuffer
			done := make(chan int, 1)
			go func() {
				done <- runDaemon(context.Background(), d, make(chan os.Signal), []string{"--config-dir", dir,
					"--metrics-address", "off", "--control-socket", filepath.Join(t.TempDir(), "ctl.sock")}, &logs, &logs)
			}()
			select {
			case code := <-done:
				if code != exitFailure || !strings.Contains(logs.String(), "seesaw-reconcile stopped") || !strings.Contains(logs.String(), tc.cause) {
					t.Fatalf("exit %d:\n%s", code, logs.String())
				}
			case <-time.After(20 * time.Second): // hang guard
				t.Fatalf("the daemon kept running although its %s\n%s", name, logs.String())
			}
		})
	}
}
