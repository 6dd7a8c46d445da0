//go:build unix

package reconcile

import (
	"syscall"
	"time"
)

// processCPU returns the user and system CPU time this process has used,
// all threads together; system time includes the kernel's work answering
// the process's netlink dumps, which runs in the reading thread.
func processCPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, err
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}
