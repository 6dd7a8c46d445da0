package netnsexec

import (
	"os/exec"
	"runtime"
)

// StartHeld starts cmd from a goroutine locked to its OS thread until
// cmd has been waited for, and returns a channel closed once cmd.Wait has
// returned. A child's Pdeathsig fires when the thread that forked it
// exits, not the process, and the Go runtime ends the thread of every
// goroutine that exits locked (Do's among them): a child started from an
// ordinary goroutine is killed whenever such a goroutine later runs on the
// thread that forked it and exits.
func StartHeld(cmd *exec.Cmd) (<-chan struct{}, error) {
	started := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		cmd.Wait()
		close(done)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return done, nil
}
