package vmlab

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStartAndKill: a started program runs until Kill, which reaps it.
func TestStartAndKill(t *testing.T) {
	p := Start(t, "", nil, "sleep", "60")
	if !p.Running() || p.Pid() <= 0 {
		t.Fatalf("running %v, pid %d after Start", p.Running(), p.Pid())
	}
	if p.Wait(100 * time.Millisecond) {
		t.Fatal("sleep 60 exited at once")
	}
	start := time.Now()
	p.Kill()
	if p.Running() {
		t.Fatal("still running after Kill")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Kill took %v", d)
	}
	if code := p.ExitCode(); code != -1 {
		t.Errorf("exit code %d after SIGKILL, want -1", code)
	}
	if p.Signal(syscall.SIGTERM) {
		t.Error("Signal reported success on an exited program")
	}
}

// TestSignalWaitAndOutput: Signal reaches the program, whose output and
// exit code are kept.
func TestSignalWaitAndOutput(t *testing.T) {
	p := Start(t, "", []string{"VMLAB_TEST_WORD=bird"}, "sh", "-c",
		`trap 'echo got TERM; exit 3' TERM; echo "ready $VMLAB_TEST_WORD"; while :; do sleep 0.05; done`)
	if !p.WaitOutput("ready bird\n", 10*time.Second) {
		t.Fatalf("no ready line with the variable added to the environment: %q", p.Output())
	}
	if !p.Signal(syscall.SIGTERM) {
		t.Fatal("Signal failed on a running program")
	}
	if !p.Wait(10 * time.Second) {
		t.Fatal("no exit after SIGTERM")
	}
	if code := p.ExitCode(); code != 3 {
		t.Errorf("exit code %d, want 3", code)
	}
	if !strings.Contains(p.Output(), "got TERM") {
		t.Errorf("output %q lacks the trap's line", p.Output())
	}
}

// TestWaitOutputStopsAtExit: WaitOutput gives up when the program exits
// without writing what it waits for, not at its bound.
func TestWaitOutputStopsAtExit(t *testing.T) {
	p := Start(t, "", nil, "echo", "something else")
	start := time.Now()
	if p.WaitOutput("never written", 30*time.Second) {
		t.Fatal("WaitOutput found text that was never written")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("WaitOutput waited %v after the program exited", d)
	}
}

// TestKillReachesTheProcessGroup: Kill kills a child the program started
// too (keepalived's VRRP and checker processes), and SignalGroup reaches it.
func TestKillReachesTheProcessGroup(t *testing.T) {
	for _, how := range []string{"Kill", "SignalGroup"} {
		t.Run(how, func(t *testing.T) {
			p := Start(t, "", nil, "sh", "-c", `sleep 60 & echo "child $!"; wait`)
			if !p.WaitOutput("\n", 10*time.Second) {
				t.Fatalf("no child pid: %q", p.Output())
			}
			var child int
			if _, err := fmt.Sscanf(p.Output(), "child %d", &child); err != nil {
				t.Fatalf("read the child's pid from %q: %v", p.Output(), err)
			}
			if how == "Kill" {
				p.Kill()
			} else if !p.SignalGroup(syscall.SIGKILL) {
				t.Fatal("SignalGroup failed on a running program")
			}
			for end := time.Now().Add(10 * time.Second); alive(child); time.Sleep(20 * time.Millisecond) {
				if time.Now().After(end) {
					t.Fatalf("child %d still alive 10 s after %s", child, how)
				}
			}
		})
	}
}

// alive reports whether pid is a process that has not exited (a zombie
// waiting to be reaped has).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// "pid (comm) S ...": the state follows the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z' && s[i+2] != 'X'
}
