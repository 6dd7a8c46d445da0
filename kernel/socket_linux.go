//go:build linux

package kernel

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// socketBufferBytes is the requested socket buffer size: large enough for
// the acks of a whole batch, so that the kernel does not drop them (ENOBUFS).
const socketBufferBytes = 4 << 20

// Dial opens a generic netlink socket (inside o.NetNS when set), resolves the
// IPVS family once and returns a Client. When ip_vs is not loaded the error
// matches ErrFamilyNotFound and names the module.
func Dial(o Options) (*Client, error) {
	return NewClient(func() (Socket, error) { return dialSocket(o.NetNS) }, o)
}

func dialSocket(netns int) (*socketTransport, error) {
	conn, err := netlink.Dial(unix.NETLINK_GENERIC, &netlink.Config{NetNS: netns})
	if err != nil {
		return nil, fmt.Errorf("open generic netlink socket: %w", err)
	}
	// Best effort: larger buffers, capped acks (no request echo), and
	// extended acks where the kernel has them.
	_ = conn.SetReadBuffer(socketBufferBytes)
	_ = conn.SetWriteBuffer(socketBufferBytes)
	_ = conn.SetOption(netlink.CapAcknowledge, true)
	_ = conn.SetOption(netlink.ExtendedAcknowledge, true)
	raw, err := conn.SyscallConn()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("open generic netlink socket: %w", err)
	}
	return &socketTransport{conn: conn, raw: raw}, nil
}

// socketTransport is a real netlink socket. netlink.Conn provides dialing
// (with namespaces), options and deadlines; datagrams are moved with raw
// sendto/recvmsg so that one sendmsg carries a whole batch and one recvmsg
// uses a buffer large enough (≥ 32 KiB) for the kernel to fill big dump
// datagrams.
type socketTransport struct {
	conn *netlink.Conn
	raw  syscall.RawConn
}

func (s *socketTransport) Send(b []byte) error {
	var serr error
	err := s.raw.Write(func(fd uintptr) bool {
		serr = unix.Sendto(int(fd), b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
		return !errors.Is(serr, unix.EAGAIN)
	})
	if err != nil {
		return fmt.Errorf("sendmsg: %w", err)
	}
	if serr != nil {
		return fmt.Errorf("sendmsg: %w", serr)
	}
	return nil
}

func (s *socketTransport) Recv(b []byte) (int, error) {
	var n, flags int
	var rerr error
	err := s.raw.Read(func(fd uintptr) bool {
		n, _, flags, _, rerr = unix.Recvmsg(int(fd), b, nil, unix.MSG_DONTWAIT)
		return !errors.Is(rerr, unix.EAGAIN)
	})
	switch {
	case err != nil:
		return 0, fmt.Errorf("recvmsg: %w", err)
	case rerr != nil:
		return 0, fmt.Errorf("recvmsg: %w", rerr)
	case flags&unix.MSG_TRUNC != 0:
		return 0, fmt.Errorf("recvmsg: %w: datagram larger than %d bytes", ErrMalformed, len(b))
	}
	return n, nil
}

func (s *socketTransport) SetDeadline(t time.Time) error { return s.conn.SetDeadline(t) }
func (s *socketTransport) Close() error                  { return s.conn.Close() }
