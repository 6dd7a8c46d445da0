//go:build !unix

package hooks

import (
	"errors"
	"fmt"
	"os/exec"
)

// ownGroup refuses to run hooks off Unix: without process groups a hook
// that outlives its timeout could not be stopped.
func ownGroup(*exec.Cmd) error {
	return fmt.Errorf("run hook: process groups: %w", errors.ErrUnsupported)
}

// signalGroup is not available off Unix.
func signalGroup(int, bool) error { return errors.ErrUnsupported }
