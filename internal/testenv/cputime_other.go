//go:build !unix

package testenv

import (
	"errors"
	"time"
)

// ProcessCPU is not measured on this system.
func ProcessCPU() (time.Duration, error) {
	return 0, errors.New("process CPU time: not measured on this system")
}
