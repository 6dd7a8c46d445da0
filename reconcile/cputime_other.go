//go:build !unix

package reconcile

import (
	"errors"
	"time"
)

// processCPU is not measured on this system.
func processCPU() (time.Duration, error) {
	return 0, errors.New("process CPU time: not measured on this system")
}
