//go:build unix

package hooks

import (
	"errors"
	"os/exec"
	"syscall"
)

// ownGroup starts the program as the leader of a new process group, so a
// timeout can signal everything it started.
func ownGroup(cmd *exec.Cmd) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return nil
}

// signalGroup sends SIGTERM (or SIGKILL when kill) to the process group
// led by pid; a group that has already gone is not an error.
func signalGroup(pid int, kill bool) error {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	if err := syscall.Kill(-pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}
