package daemon

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testenv"
)

func sh(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// netnsPair makes two namespaces joined by a veth pair (eth0 in each) with
// 203.0.113.1/24 and 203.0.113.2/24; they are removed when the test ends.
func netnsPair(t *testing.T) [2]string {
	b := make([]byte, 3)
	rand.Read(b)
	sfx := hex.EncodeToString(b)
	ns := [2]string{"ssd-a-" + sfx, "ssd-b-" + sfx}
	for _, n := range ns {
		sh(t, "ip", "netns", "add", n)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", n).Run() })
	}
	sh(t, "ip", "-n", ns[0], "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", ns[1])
	for i, n := range ns {
		sh(t, "ip", "-n", n, "addr", "add", fmt.Sprintf("203.0.113.%d/24", i+1), "dev", "eth0")
		sh(t, "ip", "-n", n, "link", "set", "eth0", "up")
		sh(t, "ip", "-n", n, "link", "set", "lo", "up")
	}
	return ns
}

// netnsPairDual is netnsPair with 2001:db8:ffff::1/64 and ::2/64 on the
// two ends as well.
func netnsPairDual(t *testing.T) [2]string {
	ns := netnsPair(t)
	for i, n := range ns {
		sh(t, "ip", "-n", n, "addr", "add", fmt.Sprintf("2001:db8:ffff::%d/64", i+1), "dev", "eth0", "nodad")
	}
	return ns
}

// netnsNode is a node.yaml for the namespace tests: eth0, one virtual
// router vrid with 100 ms adverts unless vrrpKeys say otherwise.
func netnsNode(name string, vrid int, vrrpKeys string) string {
	if !strings.Contains(vrrpKeys, "advert_interval") {
		vrrpKeys += ", advert_interval: 100ms"
	}
	return fmt.Sprintf("node: {name: %s, interface: eth0, scope: {prefixes: [192.0.2.0/24]},"+
		" vrrp: {vrid: %d, %s}}\n", name, vrid, vrrpKeys)
}

// netnsDaemon starts the test binary as a daemon process (fake kernel, real
// VRRP socket) in namespace ns; it returns its control socket, the process
// and a channel that gets its exit code.
func netnsDaemon(t *testing.T, ns, name string, priority int) (string, *exec.Cmd, <-chan int) {
	return netnsDaemonWith(t, ns, name, netnsNode(name, 52, fmt.Sprintf("priority: %d, preempt: false", priority)))
}

// netnsDaemonWith is netnsDaemon with the node file node and more
// environment variables for the child.
func netnsDaemonWith(t *testing.T, ns, name, node string, env ...string) (string, *exec.Cmd, <-chan int) {
	dir := writeConfig(t, map[string]string{"node.yaml": node, "web.yaml": webFile(1)})
	return netnsDaemonIn(t, ns, name, dir, env...)
}

// netnsDaemonIn is netnsDaemonWith on the config directory dir.
func netnsDaemonIn(t *testing.T, ns, name, dir string, env ...string) (string, *exec.Cmd, <-chan int) {
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	cmd := exec.Command("ip", "netns", "exec", ns, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childFakeEnv+"=1",
		childArgsEnv+"="+strings.Join([]string{"--config-dir", dir, "--control-socket", socket, "--metrics-address", "off"}, "\x1f"))
	cmd.Env = append(cmd.Env, env...)
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited, code := make(chan struct{}), make(chan int, 1)
	go func() {
		cmd.Wait()
		code <- cmd.ProcessState.ExitCode()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("%s log:\n%s", name, logs.String())
		}
	})
	return socket, cmd, code
}

// waitExitOK waits for the exit code of the daemon name after SIGTERM
// and fails unless it is exitOK.
func waitExitOK(t *testing.T, name string, code <-chan int) {
	t.Helper()
	select {
	case c := <-code:
		if c != exitOK {
			t.Fatalf("%s: exit code %d after SIGTERM", name, c)
		}
	case <-time.After(20 * time.Second): // a hang guard, not a timing assertion
		t.Fatalf("%s still running 20 s after SIGTERM", name)
	}
}

// stillRunning fails if the daemon name has exited: a daemon in its
// shutdown grace is expected to still be running after what happened.
func stillRunning(t *testing.T, name, what string, code <-chan int) {
	t.Helper()
	select {
	case c := <-code:
		t.Fatalf("%s exited (code %d) before %s, or within its grace", name, c, what)
	default:
	}
}

func TestDaemonsInNamespacesElectMaster(t *testing.T) {
	testenv.RequireNetNS(t)
	ns := netnsPair(t)
	s1, p1, c1 := netnsDaemon(t, ns[0], "lb1", 150)
	s2, p2, c2 := netnsDaemon(t, ns[1], "lb2", 100)
	procs := map[string]*exec.Cmd{s1: p1, s2: p2}
	codes := map[string]<-chan int{s1: c1, s2: c2}
	master, backup := elected(t, s1, s2)
	if err := ctl(master, "failover"); err != nil {
		t.Fatalf("failover: %v", err)
	}
	eventually(t, "the backup to take over", func() bool {
		return vrrpState(t, backup) == "master" && vrrpState(t, master) == "backup" &&
			statusOf(t, master).VRRP.Master != ""
	})
	// SIGTERM to the new master: it sends priority 0 and exits 0; the
	// other takes over.
	master, backup = backup, master
	if err := procs[master].Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the other daemon to take over after SIGTERM", func() bool { return vrrpState(t, backup) == "master" })
	waitExitOK(t, "the old master", codes[master])
	if _, err := os.Stat(master); err == nil {
		t.Fatal("the stopped daemon left its control socket")
	}
}
