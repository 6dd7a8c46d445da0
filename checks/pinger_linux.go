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
	network, addr, filter := "ip6:ipv6-icmp", "::", echoReplyFilter6
	if !v6 {
		network, addr, filter = "ip4:icmp", "0.0.0.0", echoReplyFilter4
	}
	c, err := lc.ListenPacket(context.Background(), network, addr)
	if err != nil {
		return nil, err
	}
	if err := filter(c); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// echoReplyFilter4 makes the kernel pass only echo replies to a raw ICMPv4 socket.
func echoReplyFilter4(c net.PacketConn) error {
	var f ipv4.ICMPFilter
	f.SetAll(true)
	f.Accept(ipv4.ICMPTypeEchoReply)
	return ipv4.NewPacketConn(c).SetICMPFilter(&f)
}

// echoReplyFilter6 makes the kernel pass only echo replies to a raw ICMPv6 socket.
func echoReplyFilter6(c net.PacketConn) error {
	var f ipv6.ICMPFilter
	f.SetAll(true)
	f.Accept(ipv6.ICMPTypeEchoReply)
	return ipv6.NewPacketConn(c).SetICMPFilter(&f)
}
