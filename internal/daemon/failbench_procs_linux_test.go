package daemon

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// benchProc is one process of the failover benchmark: a daemon (the test
// binary on a fake kernel) or keepalived, in a namespace, with its output.
type benchProc struct {
	name   string
	cmd    *exec.Cmd
	dir    string // config directory (daemons) or keepalived's files
	socket string // control socket (daemons)
	logs   *syncBuffer
	exited chan struct{}
}

// alive says whether the process is still running.
func (p *benchProc) alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// start runs the command and kills it when the test ends.
func (p *benchProc) start(t *testing.T) {
	t.Helper()
	p.logs = &syncBuffer{}
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the test
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", p.name, err)
	}
	p.exited = make(chan struct{})
	go func() { p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		if pid := p.keepalivedVRRPPID(); pid > 0 && p.alive() {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		p.cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("%s log (last 4 KiB):\n%s", p.name, tail(p.logs.String(), 4096))
		}
	})
}

// benchDaemon starts the test binary as a daemon in ns with the files,
// the daemon's GC policy and gctrace on.
func benchDaemon(t *testing.T, ns, name string, files map[string]string) *benchProc {
	dir := writeConfig(t, files)
	p := &benchProc{name: name, dir: dir, socket: filepath.Join(t.TempDir(), "ctl.sock")}
	p.cmd = exec.Command("ip", "netns", "exec", ns, os.Args[0], "-test.run=^$")
	p.cmd.Env = append(os.Environ(), childFakeEnv+"=1", childGCPolicyEnv+"=1", "GODEBUG=gctrace=1",
		childArgsEnv+"="+strings.Join([]string{"--config-dir", dir, "--control-socket", p.socket, "--metrics-address", "off"}, "\x1f"))
	p.start(t)
	return p
}

// failNode is the node file of a benchmark daemon: eth0, 100 ms adverts
// at priority prio, no preemption; prio 0 leaves VRRP out (the load
// process beside keepalived).
func failNode(name string, prio int) string {
	if prio == 0 {
		return fmt.Sprintf("node: {name: %s, interface: eth0, scope: {prefixes: [192.0.2.0/24]}}\n", name)
	}
	return fmt.Sprintf("node: {name: %s, interface: eth0, scope: {prefixes: [192.0.2.0/24]},"+
		" vrrp: {vrid: 52, priority: %d, advert_interval: 100ms, preempt: false}}\n", name, prio)
}

const failKeepalivedConf = `global_defs {
	router_id %s
	vrrp_version 3
}
vrrp_instance VI_52 {
	state BACKUP
	interface eth0
	virtual_router_id 52
	priority %d
	advert_int 0.1
	nopreempt
	virtual_ipaddress {
		192.0.2.200/32
	}
}
`

// benchKeepalived starts keepalived's VRRP subsystem in ns at priority
// prio with the benchmark's settings.
func benchKeepalived(t *testing.T, ns, name string, prio int) *benchProc {
	dir := t.TempDir()
	conf := filepath.Join(dir, "keepalived.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, failKeepalivedConf, name, prio), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &benchProc{name: name, dir: dir}
	p.cmd = exec.Command("ip", "netns", "exec", ns, "keepalived", "--dont-fork", "--log-console", "--log-detail",
		"--no-syslog", "--dont-respawn", "--vrrp", "--use-file", conf,
		"--pid", filepath.Join(dir, "keepalived.pid"), "--vrrp_pid", filepath.Join(dir, "vrrp.pid"))
	p.start(t)
	return p
}

// keepalivedVRRPPID is the pid of keepalived's VRRP child, 0 for a daemon.
func (p *benchProc) keepalivedVRRPPID() int {
	b, _ := os.ReadFile(filepath.Join(p.dir, "vrrp.pid"))
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// waitLog waits up to d for the log to contain s.
func (p *benchProc) waitLog(t *testing.T, s string, d time.Duration) {
	t.Helper()
	for end := time.Now().Add(d); !strings.Contains(p.logs.String(), s); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(end) || !p.alive() {
			t.Fatalf("%s: no %q in its log within %v", p.name, s, d)
		}
	}
}
