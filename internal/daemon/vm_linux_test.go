package daemon

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// requireVM skips unless SEESAW_VM=1 (inside the test VM); there, a missing
// ipvsadm is a failure.
func requireVM(t *testing.T) {
	t.Helper()
	testenv.RequireVM(t, "ipvsadm")
	t.Cleanup(func() { exec.Command("ipvsadm", "-C").Run() }) // leave the VM's table empty
}

func ipvsadm(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("ipvsadm", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ipvsadm %v: %v: %s", args, err, out)
	}
	return string(out)
}

// vmDaemon runs the daemon on dir against the real kernel until stop is called.
type vmDaemon struct {
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan int
}

func startVMDaemon(t *testing.T, dir string, args ...string) *vmDaemon {
	d := systemDeps()
	ctx, cancel := context.WithCancel(context.Background())
	v := &vmDaemon{logs: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		v.done <- runDaemon(ctx, d, make(chan os.Signal), append([]string{"--config-dir", dir}, args...), v.logs, v.logs)
	}()
	t.Cleanup(func() { v.stop(t) })
	return v
}

func (v *vmDaemon) stop(t *testing.T) {
	if v.cancel == nil {
		return
	}
	v.cancel()
	v.cancel = nil
	if code := <-v.done; code != exitOK {
		t.Errorf("daemon exit code %d\n%s", code, v.logs.String())
	}
}

const vmNode = "node: {name: vm, interface: dummy0, resync_interval: 1s, scope: {prefixes: [192.0.2.0/24]}}\n"

func vmWeb(weight string) string {
	return "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n    scheduler: wrr\n    forward: dr\n" +
		"    backends: [{address: 198.51.100.21, weight: " + weight + "}, {address: 198.51.100.22, weight: 5}]\n"
}

// TestDaemonAgainstRealIPVS runs the daemon against the VM's real IPVS from
// the first config to a restart: edit, invalid edit, file deletion, drift
// by hand inside and outside the scope, and a zero-op restart.
func TestDaemonAgainstRealIPVS(t *testing.T) {
	requireVM(t)
	ipvsadm(t, "-C")
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("node.yaml", vmNode)
	write("web.yaml", vmWeb("10"))
	write("api.yaml", "services:\n  - {name: api, vip: 192.0.2.11, ports: [{proto: udp, port: 53}], backends: [{address: 198.51.100.31}]}\n")
	d := startVMDaemon(t, dir)
	table := func() string { return ipvsadm(t, "-Sn") }
	want := "-A -t 192.0.2.10:80 -s wrr\n-a -t 192.0.2.10:80 -r 198.51.100.21:80 -g -w 10\n-a -t 192.0.2.10:80 -r 198.51.100.22:80 -g -w 5\n" +
		"-A -u 192.0.2.11:53 -s wlc\n-a -u 192.0.2.11:53 -r 198.51.100.31:53 -m -w 1\n"
	eventually(t, "the example table", func() bool { return table() == want })
	eventually(t, "the VIP on dummy0", func() bool {
		out, _ := exec.Command("ip", "-o", "addr", "show", "dev", "dummy0").CombinedOutput()
		return strings.Contains(string(out), "192.0.2.10/32")
	})

	// One weight edit: one op.
	applied := strings.Count(d.logs.String(), "applied plan")
	write("web.yaml", vmWeb("20"))
	eventually(t, "the weight edit", func() bool { return strings.Contains(table(), "198.51.100.21:80 -g -w 20") })
	eventually(t, "the apply log", func() bool { return strings.Count(d.logs.String(), "applied plan") > applied })
	if !strings.Contains(d.logs.String(), "msg=\"applied plan\" ops=1 ") {
		t.Fatalf("the edit was not one op:\n%s", d.logs.String())
	}

	// Invalid file: kernel unchanged, error reported.
	before := table()
	write("web.yaml", "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 70000}]\n")
	eventually(t, "the config error", func() bool { return strings.Contains(d.logs.String(), "web.yaml:4:") })
	if table() != before {
		t.Fatal("an invalid config changed the kernel")
	}
	write("web.yaml", vmWeb("20"))

	// Deleting a file removes its services.
	os.Remove(filepath.Join(dir, "api.yaml"))
	eventually(t, "api removed", func() bool { return !strings.Contains(table(), "192.0.2.11") })

	// By hand: outside the scope untouched, inside removed on the next resync.
	ipvsadm(t, "-A", "-t", "203.0.113.80:80", "-s", "rr")
	ipvsadm(t, "-A", "-t", "192.0.2.99:80", "-s", "rr")
	ipvsadm(t, "-d", "-t", "192.0.2.10:80", "-r", "198.51.100.22:80")
	eventually(t, "resync repairs drift", func() bool {
		s := table()
		return !strings.Contains(s, "192.0.2.99") && strings.Contains(s, "198.51.100.22:80 -g -w 5")
	})
	if !strings.Contains(table(), "-A -t 203.0.113.80:80 -s rr") {
		t.Fatal("a service outside the scope was touched")
	}

	// Restart (the kernel is left as is): zero operations.
	d.stop(t)
	before = table()
	d2 := startVMDaemon(t, dir)
	eventually(t, "the restarted daemon's config", func() bool { return strings.Contains(d2.logs.String(), "configuration loaded") })
	time.Sleep(1500 * time.Millisecond) // a resync period: any op would show in the log
	if strings.Contains(d2.logs.String(), "applied plan") || table() != before {
		t.Fatalf("restart applied operations:\n%s", d2.logs.String())
	}
	d2.stop(t)
}

// TestKill9RestartIsZeroOps runs the daemon as a process, kills it with
// SIGKILL, restarts it on the same config: the restart applies nothing.
func TestKill9RestartIsZeroOps(t *testing.T) {
	requireVM(t)
	ipvsadm(t, "-C")
	dir := writeConfig(t, map[string]string{"node.yaml": vmNode, "web.yaml": vmWeb("10")})
	start := func() (*exec.Cmd, *syncBuffer) {
		var logs syncBuffer
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), childArgsEnv+"=--config-dir\x1f"+dir)
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &logs
	}
	kill := func(cmd *exec.Cmd) {
		cmd.Process.Kill() // SIGKILL: no shutdown path runs
		cmd.Wait()
	}
	first, _ := start()
	eventually(t, "the table", func() bool { return strings.Contains(ipvsadm(t, "-Sn"), "198.51.100.21:80 -g -w 10") })
	kill(first)
	before := ipvsadm(t, "-Sn")
	second, logs := start()
	defer kill(second)
	eventually(t, "the restarted daemon's config", func() bool { return strings.Contains(logs.String(), "configuration loaded") })
	time.Sleep(1500 * time.Millisecond) // past one resync (1 s): any op would be logged
	if strings.Contains(logs.String(), "applied plan") || ipvsadm(t, "-Sn") != before {
		t.Fatalf("restart after SIGKILL applied operations:\n%s", logs.String())
	}
}
