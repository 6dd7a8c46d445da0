package checks

import (
	"net"
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"
)

// dialer returns a net.Dialer for t: it sets SO_MARK on the socket when the
// target carries a mark, so a check can be steered by firewall marks, and
// binds the socket to t.Source when set. Keepalive probes are off: a check's
// connection lives for one exchange.
func dialer(t Target) *net.Dialer {
	if t.Mark == 0 && !t.Source.IsValid() {
		return &net.Dialer{KeepAlive: -1}
	}
	return &net.Dialer{KeepAlive: -1, Control: socketControl(t)}
}

// socketControl returns a net.Dialer Control function that prepares the
// socket for t before it connects (see prepareSocket).
func socketControl(t Target) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) { serr = prepareSocket(int(fd), t) })
		if err != nil {
			return err
		}
		if serr != nil {
			return &net.OpError{Op: "prepare socket", Net: network, Err: serr}
		}
		return nil
	}
}

// prepareSocket sets SO_MARK to t.Mark (when non-zero) and binds the socket
// to t.Source (when set, port chosen by the kernel).
func prepareSocket(fd int, t Target) error {
	if t.Mark != 0 {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_MARK, int(t.Mark)); err != nil {
			return &net.OpError{Op: "set SO_MARK", Err: err}
		}
	}
	if t.Source.IsValid() {
		if err := unix.Bind(fd, sockaddr(netip.AddrPortFrom(t.Source, 0), t.Address)); err != nil {
			return &net.OpError{Op: "bind to " + t.Source.String(), Err: err}
		}
	}
	return nil
}

// sockaddr returns ap as a socket address of dst's family: an IPv4 source
// for an IPv4 destination, otherwise IPv6.
func sockaddr(ap netip.AddrPort, dst netip.Addr) unix.Sockaddr {
	if a := ap.Addr().Unmap(); a.Is4() && dst.Unmap().Is4() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: a.As4()}
	}
	return &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
}
