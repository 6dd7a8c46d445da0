package hatest

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/internal/netnsexec"
)

// advertPhase is how long after one of the master's adverts a crash or a
// pulled cable happens. The backup takes over Master_Down_Interval after
// the last advert it read, so the event's phase within the 1 s advert
// interval moves the failover by up to a second; pinning it makes the
// gaps of both implementations comparable within a run and across runs.
const advertPhase = 100 * time.Millisecond

// advertWatch reads the VRRP adverts on the LAN from the client's
// namespace (a member of 224.0.0.18 on its eth0) and keeps when each
// sender's last advert with a priority above 0 arrived: the kernel's
// receive time, so that a watch that reads late (the test process shares
// the VM's CPUs with the load balancers) does not move the event.
type advertWatch struct {
	fd   int
	mu   sync.Mutex
	last map[netip.Addr]time.Time
	done chan struct{}
}

func newAdvertWatch(ns string) (*advertWatch, error) {
	w := &advertWatch{last: map[netip.Addr]time.Time{}, done: make(chan struct{})}
	err := netnsexec.Do(ns, func() error {
		ifi, err := net.InterfaceByName("eth0")
		if err != nil {
			return err
		}
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 112)
		if err != nil {
			return err
		}
		w.fd = fd
		mreq := &unix.IPMreqn{Multiaddr: [4]byte{224, 0, 0, 18}, Ifindex: int32(ifi.Index)}
		if err := unix.SetsockoptIPMreqn(fd, unix.IPPROTO_IP, unix.IP_ADD_MEMBERSHIP, mreq); err != nil {
			unix.Close(fd)
			return err
		}
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
			unix.Close(fd)
			return err
		}
		tv := unix.Timeval{Usec: 200000} // the reader checks done this often
		return unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	})
	if err != nil {
		return nil, fmt.Errorf("VRRP advert watch in %s: %w", ns, err)
	}
	go w.read()
	return w, nil
}

func (w *advertWatch) read() {
	buf := make([]byte, 1500)
	oob := make([]byte, 128)
	for {
		select {
		case <-w.done:
			unix.Close(w.fd)
			return
		default:
		}
		n, oobn, _, from, err := unix.Recvmsg(w.fd, buf, oob, 0)
		if err != nil {
			continue // the receive timeout: look at done again
		}
		sa, ok := from.(*unix.SockaddrInet4)
		ihl := int(buf[0]&0x0f) * 4
		if !ok || n < ihl+3 || buf[ihl+2] == 0 {
			continue // not IPv4, short, or priority 0
		}
		at := receivedAt(oob[:oobn])
		w.mu.Lock()
		w.last[netip.AddrFrom4(sa.Addr)] = at
		w.mu.Unlock()
	}
}

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

func (w *advertWatch) Close() { close(w.done) }

// phaseSlack is how late after its phase an event may still happen: an
// advert read later than that is passed over for the next one.
const phaseSlack = 5 * time.Millisecond

// afterNext waits for the next advert from src that it reads in time to
// act phase after the advert arrived, then until that moment, and returns
// when the advert arrived. It returns the zero time when no such advert
// came within 4 s (the event then happens at once).
func (w *advertWatch) afterNext(src string, phase time.Duration) time.Time {
	a := netip.MustParseAddr(src)
	w.mu.Lock()
	seen := w.last[a]
	w.mu.Unlock()
	for end := time.Now().Add(4 * time.Second); time.Now().Before(end); time.Sleep(2 * time.Millisecond) {
		w.mu.Lock()
		at := w.last[a]
		w.mu.Unlock()
		if !at.After(seen) {
			continue
		}
		seen = at
		due := at.Add(phase)
		if time.Since(due) > phaseSlack {
			continue // read too late: the next advert
		}
		sleepUntil(due)
		return at
	}
	return time.Time{}
}

// sleepUntil sleeps until t: the runtime's timer to 2 ms before it, then
// a spin (the timer alone can be milliseconds late in the VM).
func sleepUntil(t time.Time) {
	time.Sleep(time.Until(t) - 2*time.Millisecond)
	for time.Now().Before(t) {
	}
}
