package checks

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"

	"golang.org/x/net/bpf"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"
)

// Message is one datagram of a batch read or write (sendmmsg, recvmmsg).
type Message = ipv4.Message

// batchConn is what ipv4.PacketConn and ipv6.PacketConn share.
type batchConn interface {
	ReadBatch([]Message, int) (int, error)
	WriteBatch([]Message, int) (int, error)
	SetBPF([]bpf.RawInstruction) error
}

// probeSocket is one family's raw TCP socket for half-open checks and the
// local ports its probes use.
type probeSocket struct {
	fam     int
	conn    *net.IPConn
	batch   batchConn
	ports   []uint16
	reserve []int // bound TCP sockets holding ports
	next    int   // round robin over ports (under halfOpen.mu)

	sendMu sync.Mutex
	msgs   []Message // send buffers, under sendMu
	out    []outSYN
}

// probeRcvBuf is the receive buffer a probe socket asks for: replies to a
// whole batch of SYNs arrive before the receive goroutine reads them.
const probeRcvBuf = 4 << 20

// openProbeSocket opens the raw TCP socket of one family (it needs
// CAP_NET_RAW), reserves its probe ports and installs the reply filter.
func openProbeSocket(v6 bool) (*probeSocket, error) {
	network, fam := "ip4:tcp", fam4
	if v6 {
		network, fam = "ip6:tcp", fam6
	}
	c, err := net.ListenIP(network, nil)
	if err != nil {
		return nil, fmt.Errorf("open half-open probe socket: %w", err)
	}
	s := &probeSocket{fam: fam, conn: c}
	if v6 {
		s.batch = ipv6.NewPacketConn(c)
	} else {
		s.batch = ipv4.NewPacketConn(c)
	}
	if err := s.setup(v6); err != nil {
		s.close()
		return nil, fmt.Errorf("open half-open probe socket (%s): %w", network, err)
	}
	return s, nil
}

// setup reserves the ports, sets the buffer and checksum options and the
// filter.
func (s *probeSocket) setup(v6 bool) error {
	for range probePorts {
		fd, port, err := reservePort(v6)
		if err != nil {
			return err
		}
		s.reserve = append(s.reserve, fd)
		s.ports = append(s.ports, port)
	}
	rc, err := s.conn.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	rc.Control(func(fd uintptr) {
		if unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, probeRcvBuf) != nil {
			unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, probeRcvBuf)
		}
		if v6 {
			// The kernel fills in the checksum with the source it picks.
			serr = os.NewSyscallError("setsockopt IPV6_CHECKSUM",
				unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_CHECKSUM, 16))
		}
	})
	if serr != nil {
		return serr
	}
	filter, err := replyFilter(s.ports, !v6)
	if err != nil {
		return err
	}
	return s.batch.SetBPF(filter)
}

// reservePort binds a TCP socket to a free port on the wildcard address
// and keeps it: bound but never listening, it keeps connections off the
// port and lets no SYN-ACK to it find a socket.
func reservePort(v6 bool) (int, uint16, error) {
	family := unix.AF_INET
	var sa unix.Sockaddr = &unix.SockaddrInet4{}
	if v6 {
		family, sa = unix.AF_INET6, &unix.SockaddrInet6{}
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, 0, os.NewSyscallError("socket", err)
	}
	if v6 {
		unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1)
	}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return -1, 0, fmt.Errorf("reserve probe port: %w", os.NewSyscallError("bind", err))
	}
	// Binding to port 0 assigns a free port at once.
	got, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return -1, 0, os.NewSyscallError("getsockname", err)
	}
	var port int
	switch a := got.(type) {
	case *unix.SockaddrInet4:
		port = a.Port
	case *unix.SockaddrInet6:
		port = a.Port
	}
	if port == 0 {
		unix.Close(fd)
		return -1, 0, errors.New("reserve probe port: the kernel assigned no port")
	}
	return fd, uint16(port), nil
}

// close releases the socket and the reserved ports.
func (s *probeSocket) close() {
	s.conn.Close()
	for _, fd := range s.reserve {
		unix.Close(fd)
	}
	s.reserve = nil
}

// pktinfo4 is the IP_PKTINFO control message that sends from src.
func pktinfo4(src [4]byte) []byte {
	return (&ipv4.ControlMessage{Src: net.IP(src[:])}).Marshal()
}
