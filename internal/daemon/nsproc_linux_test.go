package daemon

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/kapeer"
	"github.com/seesaw-lb/seesaw/internal/netnsexec"
)

// nsProc is a process a namespace test runs beside the daemons under
// test: a daemon (the test binary on a fake kernel) or keepalived, with
// its output.
type nsProc struct {
	name   string
	cmd    *exec.Cmd
	dir    string // config directory (daemons) or keepalived's files
	socket string // control socket (daemons)
	logs   *syncBuffer
	exited <-chan struct{}
}

// alive says whether the process is still running.
func (p *nsProc) alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// start runs the command and kills it when the test ends.
func (p *nsProc) start(t *testing.T) {
	t.Helper()
	p.logs = &syncBuffer{}
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the test
	p.cmd.WaitDelay = 5 * time.Second                                    // keepalived's children may outlive it a moment
	exited, err := netnsexec.StartHeld(p.cmd)                            // Pdeathsig follows the forking thread
	if err != nil {
		t.Fatalf("start %s: %v", p.name, err)
	}
	p.exited = exited
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

// keepalivedVRRPPID is the pid of keepalived's VRRP child, 0 for a daemon.
func (p *nsProc) keepalivedVRRPPID() int { return kapeer.VRRPPID(p.dir) }

// waitLog waits up to d for the log to contain s.
func (p *nsProc) waitLog(t *testing.T, s string, d time.Duration) {
	t.Helper()
	for end := time.Now().Add(d); !strings.Contains(p.logs.String(), s); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(end) || !p.alive() {
			t.Fatalf("%s: no %q in its log within %v", p.name, s, d)
		}
	}
}
