package hatest

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/internal/netnsexec"
)

// maxARPSeen bounds the frames an announceWatch keeps (the oldest go).
const maxARPSeen = 4096

// announceWatch reads the ARP frames on the LAN from the client's
// namespace and keeps, with the kernel's receive time, each one whose
// sender protocol address is one of vips: a gratuitous ARP, or an answer
// for it. It tells when a new master first spoke for each address, to the
// microsecond and whatever the client's request spacing: the part of a
// failover an implementation's takeover path decides.
type announceWatch struct {
	sock *stampedSocket
	vips []netip.Addr
	mu   sync.Mutex
	seen []arpSeen
}

type arpSeen struct {
	at  time.Time
	mac string
	ip  netip.Addr
}

func newAnnounceWatch(ns, ifname string, vips ...netip.Addr) (*announceWatch, error) {
	w := &announceWatch{vips: vips}
	sock, err := openStamped(ns, func() (int, error) {
		ifi, err := net.InterfaceByName(ifname)
		if err != nil {
			return -1, err
		}
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_ARP)))
		if err != nil {
			return -1, err
		}
		if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ARP), Ifindex: ifi.Index}); err != nil {
			unix.Close(fd)
			return -1, err
		}
		return fd, nil
	})
	if err != nil {
		return nil, fmt.Errorf("ARP watch in %s: %w", ns, err)
	}
	w.sock = sock
	go sock.read(w.keep)
	return w, nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// keep keeps an ARP frame whose sender address is one of the VIPs.
func (w *announceWatch) keep(p []byte, at time.Time, _ unix.Sockaddr) {
	mac, ip, ok := arpSender(p)
	if !ok || !slices.Contains(w.vips, ip) {
		return
	}
	w.mu.Lock()
	if len(w.seen) == maxARPSeen {
		w.seen = slices.Delete(w.seen, 0, 1)
	}
	w.seen = append(w.seen, arpSeen{at: at, mac: mac, ip: ip})
	w.mu.Unlock()
}

// arpSender returns the sender hardware and protocol addresses of an
// Ethernet/IPv4 ARP packet.
func arpSender(p []byte) (mac string, ip netip.Addr, ok bool) {
	if len(p) < 28 || binary.BigEndian.Uint16(p[0:2]) != 1 || binary.BigEndian.Uint16(p[2:4]) != unix.ETH_P_IP || p[4] != 6 || p[5] != 4 {
		return "", netip.Addr{}, false
	}
	return net.HardwareAddr(p[8:14]).String(), netip.AddrFrom4([4]byte(p[14:18])), true
}

func (w *announceWatch) Close() { w.sock.Close() }

// firstAfter returns the first frame for vip received after t: its
// kernel receive time and sender; zero when there was none.
func (w *announceWatch) firstAfter(t time.Time, vip netip.Addr) arpSeen {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.seen {
		if s.ip == vip && s.at.After(t) {
			return s
		}
	}
	return arpSeen{}
}

// macOf returns the hardware address of ifname in namespace ns.
func macOf(ns, ifname string) (string, error) {
	var mac string
	err := netnsexec.Do(ns, func() error {
		ifi, err := net.InterfaceByName(ifname)
		if err != nil {
			return err
		}
		mac = ifi.HardwareAddr.String()
		return nil
	})
	return mac, err
}
