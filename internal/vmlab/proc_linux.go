//go:build linux

package vmlab

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/netnsexec"
	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// KillWait is how long Kill waits for a killed process to be reaped.
const KillWait = 10 * time.Second

// Proc is a program started by Start, with its output (stdout and stderr
// together) kept in memory.
type Proc struct {
	cmd    *exec.Cmd
	out    *lockedBuffer
	exited <-chan struct{}
}

// Start runs args in network namespace ns with env added to this
// process's environment, and fails t if it cannot start. With ns "" the
// program runs in the current namespace. The program gets its own process
// group (Kill reaches its children), is sent SIGKILL if the test binary
// dies (Pdeathsig, which follows the thread that forked it:
// netnsexec.StartHeld keeps that thread until the program is reaped), and
// is killed when t ends.
func Start(t testing.TB, ns string, env []string, args ...string) *Proc {
	t.Helper()
	if len(args) == 0 {
		t.Fatalf("start a program in namespace %q: no program given", ns)
	}
	if ns != "" {
		// `ip netns exec` execs the program: the pid is the program's own.
		args = append([]string{"ip", "netns", "exec", ns}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	// Stop waiting for output that a child left running keeps open.
	cmd.WaitDelay = 2 * time.Second
	p := &Proc{cmd: cmd, out: &lockedBuffer{}}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	done, err := netnsexec.StartHeld(cmd)
	if err != nil {
		t.Fatalf("start %v in namespace %q: %v", args, ns, err)
	}
	p.exited = done
	t.Cleanup(p.Kill)
	return p
}

// Pid is the program's process id (and its process group's).
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Running reports whether the program has not exited yet.
func (p *Proc) Running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// Signal sends sig to the program; it reports false if the program had
// already exited or the signal could not be sent.
func (p *Proc) Signal(sig syscall.Signal) bool {
	return p.Running() && p.cmd.Process.Signal(sig) == nil
}

// SignalGroup sends sig to the program's whole process group (a crash of
// a service with its children); it reports false if the program had
// already exited or the signal could not be sent.
func (p *Proc) SignalGroup(sig syscall.Signal) bool {
	return p.Running() && syscall.Kill(-p.Pid(), sig) == nil
}

// Wait waits up to d for the program to exit and reports whether it did.
func (p *Proc) Wait(d time.Duration) bool {
	select {
	case <-p.exited:
		return true
	case <-time.After(d):
		return false
	}
}

// Kill sends SIGKILL to the program's process group, even when the
// program itself has exited (children it left behind go too), and waits
// up to KillWait for the program to be reaped.
func (p *Proc) Kill() {
	syscall.Kill(-p.Pid(), syscall.SIGKILL)
	p.Wait(KillWait)
}

// ExitCode is the program's exit status once it has exited (-1 when a
// signal ended it), and -1 while it runs.
func (p *Proc) ExitCode() int {
	if p.Running() {
		return -1
	}
	return p.cmd.ProcessState.ExitCode()
}

// Output returns everything the program has written so far.
func (p *Proc) Output() string { return p.out.String() }

// WaitOutput waits up to d for s to appear in the program's output and
// reports whether it did; it stops waiting early when the program exits
// without having written it.
func (p *Proc) WaitOutput(s string, d time.Duration) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(p.Output(), s) {
			return true
		}
		if !p.Running() {
			return strings.Contains(p.Output(), s)
		}
	}
	return false
}

// lockedBuffer is the shared test buffer (testenv.Buffer).
type lockedBuffer = testenv.Buffer
