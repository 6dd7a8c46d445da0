package vrrp

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// rawReader reads packets with recvmsg so that the kernel's receive
// timestamp (SO_TIMESTAMPNS) comes with them: a Backup's Master_Down_Timer
// then starts when the advert arrived, not when this process got to it.
type rawReader struct {
	rc  syscall.RawConn
	oob []byte
}

func newRawReader(c net.PacketConn) (*rawReader, error) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("raw reader: %T has no file descriptor", c)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	}); err != nil {
		return nil, err
	}
	if serr != nil {
		return nil, fmt.Errorf("set SO_TIMESTAMPNS: %w", serr)
	}
	return &rawReader{rc: rc, oob: make([]byte, 512)}, nil
}

// read receives one datagram into buf; it returns the control messages.
func (r *rawReader) read(buf []byte) (n int, oob []byte, from unix.Sockaddr, err error) {
	var oobn int
	var rerr error
	err = r.rc.Read(func(fd uintptr) bool {
		n, oobn, _, from, rerr = unix.Recvmsg(int(fd), buf, r.oob, 0)
		return rerr != unix.EAGAIN
	})
	if err == nil {
		err = rerr
	}
	return n, r.oob[:oobn], from, err
}

// cmsgInfo is what the receive path takes from the control messages.
type cmsgInfo struct {
	hopLimit int
	dst      netip.Addr
	age      time.Duration // since the kernel received the packet; 0 if unknown
}

func parseCmsgs(oob []byte) cmsgInfo {
	var ci cmsgInfo
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return ci
	}
	for _, m := range msgs {
		switch {
		case m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SO_TIMESTAMPNS && len(m.Data) >= 16:
			sec := int64(binary.NativeEndian.Uint64(m.Data[0:8]))
			nsec := int64(binary.NativeEndian.Uint64(m.Data[8:16]))
			ci.age = stampAge(sec*1e9+nsec, time.Now().UnixNano())
		case m.Header.Level == unix.IPPROTO_IPV6 && m.Header.Type == unix.IPV6_HOPLIMIT && len(m.Data) >= 4:
			ci.hopLimit = int(int32(binary.NativeEndian.Uint32(m.Data)))
		case m.Header.Level == unix.IPPROTO_IPV6 && m.Header.Type == unix.IPV6_PKTINFO && len(m.Data) >= 16:
			ci.dst = netip.AddrFrom16([16]byte(m.Data[:16]))
		}
	}
	return ci
}

// stampAge turns a CLOCK_REALTIME receive stamp into an age, ignoring
// stamps that a clock step made implausible.
func stampAge(stamp, now int64) time.Duration {
	age := time.Duration(now - stamp)
	if age < 0 || age > time.Second {
		return 0
	}
	return age
}

// parseIPv4 splits a raw IPv4 datagram (raw sockets deliver the header).
func parseIPv4(b []byte) (src, dst netip.Addr, ttl int, payload []byte, ok bool) {
	if len(b) < 20 || b[0]>>4 != 4 {
		return src, dst, 0, nil, false
	}
	hl := int(b[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(b[2:4]))
	if hl < 20 || total < hl || total > len(b) {
		return src, dst, 0, nil, false
	}
	src = netip.AddrFrom4([4]byte(b[12:16]))
	dst = netip.AddrFrom4([4]byte(b[16:20]))
	return src, dst, int(b[8]), b[hl:total], true
}
