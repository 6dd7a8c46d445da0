package hatest

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/sys/unix"
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
	sock *stampedSocket
	mu   sync.Mutex
	last map[netip.Addr]time.Time
}

func newAdvertWatch(ns string) (*advertWatch, error) {
	w := &advertWatch{last: map[netip.Addr]time.Time{}}
	sock, err := openStamped(ns, func() (int, error) {
		ifi, err := net.InterfaceByName("eth0")
		if err != nil {
			return -1, err
		}
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 112)
		if err != nil {
			return -1, err
		}
		mreq := &unix.IPMreqn{Multiaddr: [4]byte{224, 0, 0, 18}, Ifindex: int32(ifi.Index)}
		if err := unix.SetsockoptIPMreqn(fd, unix.IPPROTO_IP, unix.IP_ADD_MEMBERSHIP, mreq); err != nil {
			unix.Close(fd)
			return -1, err
		}
		return fd, nil
	})
	if err != nil {
		return nil, fmt.Errorf("VRRP advert watch in %s: %w", ns, err)
	}
	w.sock = sock
	go sock.read(w.seen)
	return w, nil
}

// seen keeps the arrival of an advert with a priority above 0.
func (w *advertWatch) seen(p []byte, at time.Time, from unix.Sockaddr) {
	sa, ok := from.(*unix.SockaddrInet4)
	if !ok || len(p) == 0 {
		return
	}
	ihl := int(p[0]&0x0f) * 4
	if len(p) < ihl+3 || p[ihl+2] == 0 {
		return // short, or priority 0
	}
	w.mu.Lock()
	w.last[netip.AddrFrom4(sa.Addr)] = at
	w.mu.Unlock()
}

func (w *advertWatch) Close() { w.sock.Close() }

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
