package checks

import (
	"context"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// connectOnly checks that a TCP handshake with t completes, and resets the
// connection. It is the plain tcp check's fast path: a bare non-blocking
// socket waited on by the runtime poller costs about half the system calls
// of net.Dialer (no keepalive or nodelay options, no address lookups).
func connectOnly(ctx context.Context, t Target) error {
	addr := t.Address.Unmap()
	family, sa := unix.AF_INET6, sockaddr(t.AddrPort(), addr)
	if addr.Is4() {
		family = unix.AF_INET
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", t, os.NewSyscallError("socket", err))
	}
	// Close with a reset: a health check leaves no TIME_WAIT behind.
	unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	if err := prepareSocket(fd, t); err != nil {
		unix.Close(fd)
		return fmt.Errorf("connect to %s: %w", t, err)
	}
	err = unix.Connect(fd, sa)
	if err == nil {
		unix.Close(fd)
		return nil
	}
	if err != unix.EINPROGRESS {
		unix.Close(fd)
		return fmt.Errorf("connect to %s: %w", t, os.NewSyscallError("connect", err))
	}
	f := os.NewFile(uintptr(fd), "tcp check")
	defer f.Close()
	return waitConnected(ctx, f, t)
}

// waitConnected waits until the connecting socket in f is writable (the
// handshake finished or failed) or ctx ends, and returns the outcome.
func waitConnected(ctx context.Context, f *os.File, t Target) error {
	if d, ok := ctx.Deadline(); ok {
		f.SetWriteDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { f.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	rc, err := f.SyscallConn()
	if err != nil {
		return fmt.Errorf("connect to %s: %w", t, err)
	}
	// Checked before the first wait too: the handshake may already be done,
	// and an edge-triggered poller would not report it again.
	soErr := 0
	werr := rc.Write(func(fd uintptr) bool {
		soErr, err = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_ERROR)
		if err != nil || soErr != 0 {
			return true
		}
		_, perr := unix.Getpeername(int(fd))
		return perr == nil // connected; ENOTCONN: still in progress
	})
	switch {
	case werr != nil:
		return fmt.Errorf("connect to %s: %w", t, timeoutError(werr))
	case err != nil:
		return fmt.Errorf("connect to %s: %w", t, os.NewSyscallError("getsockopt", err))
	case soErr != 0:
		return fmt.Errorf("connect to %s: %w", t, os.NewSyscallError("connect", unix.Errno(soErr)))
	}
	return nil
}
