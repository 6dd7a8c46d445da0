//go:build unix

package testenv

import (
	"syscall"
	"time"
)

// ProcessCPU returns the user and system CPU time this process has used,
// for benchmarks that report CPU beside wall time.
func ProcessCPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, err
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}
