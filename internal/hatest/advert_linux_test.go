package hatest

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

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
// sender's last advert with a priority above 0 arrived.
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
	for {
		select {
		case <-w.done:
			unix.Close(w.fd)
			return
		default:
		}
		n, from, err := unix.Recvfrom(w.fd, buf, 0)
		if err != nil {
			continue // the receive timeout: look at done again
		}
		sa, ok := from.(*unix.SockaddrInet4)
		ihl := int(buf[0]&0x0f) * 4
		if !ok || n < ihl+3 || buf[ihl+2] == 0 {
			continue // not IPv4, short, or priority 0
		}
		w.mu.Lock()
		w.last[netip.AddrFrom4(sa.Addr)] = time.Now()
		w.mu.Unlock()
	}
}

func (w *advertWatch) Close() { close(w.done) }

// afterNext waits for the next advert from src and then for phase; it
// reports false when none came within 3 s (the event then happens at
// once).
func (w *advertWatch) afterNext(src string, phase time.Duration) bool {
	a := netip.MustParseAddr(src)
	w.mu.Lock()
	seen := w.last[a]
	w.mu.Unlock()
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(2 * time.Millisecond) {
		w.mu.Lock()
		at := w.last[a]
		w.mu.Unlock()
		if at.After(seen) {
			time.Sleep(time.Until(at.Add(phase)))
			return true
		}
	}
	return false
}
