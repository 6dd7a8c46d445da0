package vrrp

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// setRealtime puts the calling OS thread in the SCHED_FIFO real-time
// class at prio; the caller must hold the thread (runtime.LockOSThread)
// and never release it, so that no other goroutine inherits the policy.
func setRealtime(prio int) error {
	param := struct{ prio int32 }{int32(prio)}
	_, _, errno := unix.RawSyscall(unix.SYS_SCHED_SETSCHEDULER, 0, unix.SCHED_FIFO, uintptr(unsafe.Pointer(&param)))
	if errno != 0 {
		return fmt.Errorf("set SCHED_FIFO priority %d on the vrrp timing thread: %w", prio, errno)
	}
	return nil
}

// threadPolicy returns the scheduling policy of thread tid (unix.SCHED_*).
func threadPolicy(tid int) (int, error) {
	r, _, errno := unix.RawSyscall(unix.SYS_SCHED_GETSCHEDULER, uintptr(tid), 0, 0)
	if errno != 0 {
		return 0, fmt.Errorf("get scheduling policy of thread %d: %w", tid, errno)
	}
	return int(r), nil
}
