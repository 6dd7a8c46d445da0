package checks

import (
	"context"
	"net"
	"syscall"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"
)

// pingerRcvBuf is the receive buffer of a raw ICMP socket: a burst of
// thousands of replies must not overflow it.
const pingerRcvBuf = 4 << 20

// openRawICMP opens a raw ICMP socket that the kernel filters down to echo
// replies, with a large receive buffer (forced when privileged).
func openRawICMP(v6 bool) (net.PacketConn, error) {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) {
			if unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, pingerRcvBuf) != nil {
				unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, pingerRcvBuf)
			}
		})
	}}
	if !v6 {
		c, err := lc.ListenPacket(context.Background(), "ip4:icmp", "0.0.0.0")
		if err != nil {
			return nil, err
		}
		var f ipv4.ICMPFilter
		f.SetAll(true)
		f.Accept(ipv4.ICMPTypeEchoReply)
		if err := ipv4.NewPacketConn(c).SetICMPFilter(&f); err != nil {
			c.Close()
			return nil, err
		}
		return c, nil
	}
	c, err := lc.ListenPacket(context.Background(), "ip6:ipv6-icmp", "::")
	if err != nil {
		return nil, err
	}
	var f ipv6.ICMPFilter
	f.SetAll(true)
	f.Accept(ipv6.ICMPTypeEchoReply)
	if err := ipv6.NewPacketConn(c).SetICMPFilter(&f); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}
