package netnsexec

import (
	"os/exec"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// TestStartHeldSurvivesLockedGoroutineExits: a child started with
// Pdeathsig by StartHeld is still running after many goroutines have
// locked their threads and exited (each ends its OS thread), and done
// closes once it exits.
func TestStartHeldSurvivesLockedGoroutineExits(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	done, err := StartHeld(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	for range 200 {
		exited := make(chan struct{})
		go func() {
			runtime.LockOSThread()
			close(exited)
		}()
		<-exited
	}
	time.Sleep(100 * time.Millisecond)
	select {
	case <-done:
		t.Fatalf("the child was killed when a locked goroutine's thread ended: %v", cmd.ProcessState)
	default:
	}
	cmd.Process.Kill()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("done did not close after the child exited")
	}
}
