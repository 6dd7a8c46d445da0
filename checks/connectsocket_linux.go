package checks

import (
	"context"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// connectOnly checks that a TCP handshake with t completes, and resets the
// connection. It is the plain tcp check's path for callers that wait (the
// engine itself starts these checks on its connect loop, see connectwait_linux.go):
// a handshake that completes at once costs four system calls besides
// close; one still in progress is waited on by the runtime poller.
func connectOnly(ctx context.Context, t Target) error {
	fd, sa, err := beginConnect(t)
	if err != nil || fd < 0 {
		return err
	}
	f := os.NewFile(uintptr(fd), "tcp check")
	defer f.Close()
	return waitConnected(ctx, f, sa, t)
}

// beginConnect opens a non-blocking socket that closes with a reset (a
// health check leaves no TIME_WAIT behind), prepares it for t and starts
// connecting. It returns fd -1 when the outcome is already known (err nil:
// the handshake completed and the socket is closed), else the connecting
// socket and its destination for connectDone. Five system calls on
// loopback, where the handshake completes inside connect: socket,
// setsockopt, connect, connect again to learn the outcome, close.
func beginConnect(t Target) (int, unix.Sockaddr, error) {
	addr := t.Address.Unmap()
	family, sa := unix.AF_INET6, sockaddr(t.AddrPort(), addr)
	if addr.Is4() {
		family = unix.AF_INET
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, nil, fmt.Errorf("connect to %s: %w", t, os.NewSyscallError("socket", err))
	}
	unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	if err := prepareSocket(fd, t); err != nil {
		unix.Close(fd)
		return -1, nil, fmt.Errorf("connect to %s: %w", t, err)
	}
	err = unix.Connect(fd, sa)
	if err == unix.EINPROGRESS {
		var done bool
		if done, err = connectDone(fd, sa); !done {
			return fd, sa, nil
		}
	}
	unix.Close(fd)
	if err != nil {
		return -1, nil, connectError(t, err)
	}
	return -1, nil, nil
}

// connectDone asks the kernel about a non-blocking connect in progress by
// calling connect again: EALREADY while the handshake runs, success (or
// EISCONN) once it completed, the socket's error if it failed. One system
// call where getsockopt(SO_ERROR) cannot tell "in progress" from "done".
func connectDone(fd int, sa unix.Sockaddr) (bool, error) {
	switch err := unix.Connect(fd, sa); err {
	case unix.EALREADY, unix.EINPROGRESS, unix.EINTR:
		return false, nil
	case nil, unix.EISCONN:
		return true, nil
	default:
		return true, err
	}
}

// connectError renders a failed connect to t.
func connectError(t Target, err error) error {
	return fmt.Errorf("connect to %s: %w", t, os.NewSyscallError("connect", err))
}

// waitConnected waits until the connecting socket in f is writable (the
// handshake finished or failed) or ctx ends, and returns the outcome.
func waitConnected(ctx context.Context, f *os.File, sa unix.Sockaddr, t Target) error {
	if d, ok := ctx.Deadline(); ok {
		f.SetWriteDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { f.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	rc, err := f.SyscallConn()
	if err != nil {
		return fmt.Errorf("connect to %s: %w", t, err)
	}
	// Checked before the first wait too: the handshake may have completed
	// since beginConnect looked, and an edge-triggered poller would not
	// report it again.
	werr := rc.Write(func(fd uintptr) bool {
		var done bool
		done, err = connectDone(int(fd), sa)
		return done
	})
	switch {
	case werr != nil:
		return fmt.Errorf("connect to %s: %w", t, timeoutError(werr))
	case err != nil:
		return connectError(t, err)
	}
	return nil
}

// closeFD closes a socket that never reached the runtime poller.
func closeFD(fd int) { unix.Close(fd) }
