package anycasttest

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/netnsexec"
)

// proc is a process started in a namespace (`ip netns exec` execs it, so
// the pid is the program's own), with its output kept.
type proc struct {
	cmd    *exec.Cmd
	out    *lockedBuffer
	exited <-chan struct{}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startProc runs args in ns with env added; it is killed when t ends.
func startProc(t testing.TB, ns string, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = 2 * time.Second
	p := &proc{cmd: cmd, out: &lockedBuffer{}}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	done, err := netnsexec.StartHeld(cmd) // Pdeathsig follows the forking thread
	if err != nil {
		t.Fatalf("start %v in %s: %v", args, ns, err)
	}
	p.exited = done
	t.Cleanup(p.kill)
	return p
}

// selfArgs runs the test binary itself (in a role chosen by environment).
func selfArgs(t testing.TB) []string {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return []string{exe, "-test.run=^$"}
}

func (p *proc) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// signal sends sig; it reports false if the process had already exited.
func (p *proc) signal(sig syscall.Signal) bool {
	return p.running() && p.cmd.Process.Signal(sig) == nil
}

// wait waits up to d for the process to exit.
func (p *proc) wait(d time.Duration) bool {
	select {
	case <-p.exited:
		return true
	case <-time.After(d):
		return false
	}
}

// kill kills the process and its process group and waits for it (10 s at most).
func (p *proc) kill() {
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	p.wait(10 * time.Second)
}

// waitOutput waits up to d for line to appear in the output.
func (p *proc) waitOutput(line string, d time.Duration) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(p.out.String(), line) {
			return true
		}
		if !p.running() {
			return strings.Contains(p.out.String(), line)
		}
	}
	return false
}
