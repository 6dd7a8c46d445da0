package hatest

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/internal/netnsexec"
)

// stampedSocket is a socket opened in a lab namespace whose datagrams carry
// the kernel's receive time (SO_TIMESTAMPNS): a watch that reads late (the
// test process shares the VM's CPUs with the load balancers) still knows
// when each frame arrived.
type stampedSocket struct {
	fd   int
	done chan struct{}
}

// openStamped runs open in namespace ns, then asks the socket it returns
// for receive timestamps and a 200 ms receive timeout (how often the
// reader looks whether it must stop).
func openStamped(ns string, open func() (int, error)) (*stampedSocket, error) {
	s := &stampedSocket{done: make(chan struct{})}
	err := netnsexec.Do(ns, func() error {
		fd, err := open()
		if err != nil {
			return err
		}
		tv := unix.Timeval{Usec: 200000}
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
			unix.Close(fd)
			return err
		}
		if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
			unix.Close(fd)
			return err
		}
		s.fd = fd
		return nil
	})
	return s, err
}

// read calls handle with each datagram, its kernel receive time and its
// source until Close; it closes the socket.
func (s *stampedSocket) read(handle func(p []byte, at time.Time, from unix.Sockaddr)) {
	buf := make([]byte, 1500)
	oob := make([]byte, 128)
	for {
		select {
		case <-s.done:
			unix.Close(s.fd)
			return
		default:
		}
		n, oobn, _, from, err := unix.Recvmsg(s.fd, buf, oob, 0)
		if err != nil {
			continue // the receive timeout: look at done again
		}
		handle(buf[:n], receivedAt(oob[:oobn]), from)
	}
}

func (s *stampedSocket) Close() { close(s.done) }

// receivedAt returns the kernel's receive time from a datagram's control
// messages (SO_TIMESTAMPNS), or now when it has none.
func receivedAt(oob []byte) time.Time {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Now()
	}
	for _, m := range msgs {
		if m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SO_TIMESTAMPNS && len(m.Data) >= int(unsafe.Sizeof(unix.Timespec{})) {
			ts := (*unix.Timespec)(unsafe.Pointer(&m.Data[0]))
			return time.Unix(ts.Unix())
		}
	}
	return time.Now()
}
