package checks

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// probeSocket is one family's raw TCP socket for half-open checks and the
// local ports its probes use.
type probeSocket struct {
	fam     int
	conn    *net.IPConn
	rc      syscall.RawConn
	ports   []uint16
	reserve []int // bound TCP sockets holding ports
	next    int   // round robin over ports (under halfOpen.mu)

	sendMu sync.Mutex // guards the rest
	out    []outSYN
	tx     *mmsgVec
	rx     rxBuf // replies read right after a send
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
	s := &probeSocket{fam: fam, conn: c, tx: newMmsgVec(connectChunk, 0), rx: newRxBuf()}
	if err := s.setup(v6); err != nil {
		s.close()
		return nil, fmt.Errorf("open half-open probe socket (%s): %w", network, err)
	}
	return s, nil
}

// setup reserves the ports, installs the reply filter and sets the buffer
// and checksum options.
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
	s.rc = rc
	filter, err := replyFilter(s.ports, !v6)
	if err != nil {
		return err
	}
	prog := make([]unix.SockFilter, len(filter))
	for i, in := range filter {
		prog[i] = unix.SockFilter{Code: in.Op, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	var serr error
	rc.Control(func(fd uintptr) {
		serr = os.NewSyscallError("setsockopt SO_ATTACH_FILTER", unix.SetsockoptSockFprog(int(fd), unix.SOL_SOCKET, unix.SO_ATTACH_FILTER,
			&unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}))
		if serr != nil {
			return
		}
		if unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, probeRcvBuf) != nil {
			unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, probeRcvBuf)
		}
		if v6 {
			// The kernel fills in the checksum with the source it picks.
			serr = os.NewSyscallError("setsockopt IPV6_CHECKSUM",
				unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_CHECKSUM, 16))
		}
	})
	return serr
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
