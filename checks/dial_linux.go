package checks

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// dialer returns a net.Dialer for t: it sets SO_MARK on the socket when the
// target carries a mark, so a check can be steered by firewall marks.
// Keepalive probes are off: a check's connection lives for one exchange.
func dialer(t Target) *net.Dialer {
	if t.Mark == 0 {
		return &net.Dialer{KeepAlive: -1}
	}
	return &net.Dialer{KeepAlive: -1, Control: markControl(t.Mark)}
}

// markControl returns a net.Dialer Control function that sets SO_MARK.
func markControl(mark uint32) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_MARK, int(mark))
		})
		if err != nil {
			return err
		}
		if serr != nil {
			return &net.OpError{Op: "set SO_MARK", Net: network, Err: serr}
		}
		return nil
	}
}
