package addrs

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"

	"github.com/mdlayher/arp"
	"github.com/mdlayher/ethernet"
	"github.com/mdlayher/packet"
	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/kernel"
)

// garpSockets are the packet sockets gratuitous ARP leaves from, one per
// interface, opened on first use and kept until Close or until the kernel
// reports the interface deleted (linkCache). Opening and closing
// a packet socket each wait for an RCU grace period, which on a loaded host
// takes longer than the send itself, and a takeover announces every VIP at
// once: with one socket per announcement the VIPs' first frames queued
// behind each other's setup. A socket is bound to protocol 0, so it
// receives nothing.
type garpSockets struct {
	mu    sync.Mutex
	conns map[int]*packet.Conn // by interface index
}

// conn returns the socket of ifi, opening it on first use.
func (g *garpSockets) conn(ifi *net.Interface) (*packet.Conn, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c := g.conns[ifi.Index]; c != nil {
		return c, nil
	}
	c, err := packet.Listen(ifi, packet.Raw, 0, nil)
	if err != nil {
		return nil, fmt.Errorf("open ARP socket: %w", err)
	}
	if g.conns == nil {
		g.conns = map[int]*packet.Conn{}
	}
	g.conns[ifi.Index] = c
	return c, nil
}

// PrepareAnnounce implements AnnouncePreparer: it opens ifname's ARP
// socket now, when it is not open yet.
func (a *linuxAddresses) PrepareAnnounce(_ context.Context, ifname string) error {
	ifi, err := a.link(ifname)
	if err == nil {
		_, err = a.garp.conn(ifi)
	}
	if err != nil {
		return &kernel.OpError{Op: "prepare announcements on " + ifname, Err: err}
	}
	return nil
}

// drop closes c, the socket of interface index idx, after a failed send:
// the interface may be gone, and the next announcement opens a new one.
func (g *garpSockets) drop(idx int, c *packet.Conn) {
	g.mu.Lock()
	if g.conns[idx] == c {
		delete(g.conns, idx)
	}
	g.mu.Unlock()
	c.Close()
}

// dropIndex closes the socket of interface index idx, if one is open: the
// interface was deleted, and an interface made later gets another index.
func (g *garpSockets) dropIndex(idx int) {
	g.mu.Lock()
	c := g.conns[idx]
	delete(g.conns, idx)
	g.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

// close closes every socket.
func (g *garpSockets) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for idx, c := range g.conns {
		c.Close()
		delete(g.conns, idx)
	}
}

// send sends one gratuitous ARP request for each of as (sender and target
// both the address, broadcast) on ifi and returns one error per address.
// A send never waits: a full transmit queue is an error for that address,
// and the announcement's schedule sends it again. A socket that fails is
// replaced once.
func (g *garpSockets) send(ifi *net.Interface, as []netip.Addr) []error {
	errs := make([]error, len(as))
	frames := make([][]byte, len(as))
	for i, a := range as {
		frames[i], errs[i] = garpFrame(ifi.HardwareAddr, a)
	}
	for attempt := 0; attempt < 2; attempt++ {
		c, err := g.conn(ifi)
		if err != nil {
			for i := range errs {
				if frames[i] != nil {
					errs[i] = err
				}
			}
			return errs
		}
		failed := false
		for i, f := range frames {
			if f == nil {
				continue
			}
			errs[i] = sendNow(c, ifi.Index, f)
			if errs[i] == nil {
				frames[i] = nil // sent: not again on a retry
			} else if !errors.Is(errs[i], unix.EAGAIN) {
				failed = true
			}
		}
		if !failed {
			break
		}
		g.drop(ifi.Index, c)
	}
	return errs
}

// garpFrame is the Ethernet frame of a gratuitous ARP request for a from
// hardware address hw.
func garpFrame(hw net.HardwareAddr, a netip.Addr) ([]byte, error) {
	zero := net.HardwareAddr{0, 0, 0, 0, 0, 0}
	p, err := arp.NewPacket(arp.OperationRequest, hw, a, zero, a)
	if err != nil {
		return nil, err
	}
	pb, err := p.MarshalBinary()
	if err != nil {
		return nil, err
	}
	f := ethernet.Frame{Destination: ethernet.Broadcast, Source: hw, EtherType: ethernet.EtherTypeARP, Payload: pb}
	return f.MarshalBinary()
}

// sendNow writes frame to the broadcast address of interface idx without
// waiting for room in the socket's queue.
func sendNow(c *packet.Conn, idx int, frame []byte) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	sa := &unix.SockaddrLinklayer{Ifindex: idx, Protocol: htons(unix.ETH_P_ARP), Halen: 6}
	copy(sa.Addr[:], ethernet.Broadcast)
	var serr error
	err = raw.Write(func(fd uintptr) bool {
		serr = unix.Sendto(int(fd), frame, unix.MSG_DONTWAIT, sa)
		return true // never wait for the poller: the schedule repeats
	})
	if err != nil {
		return fmt.Errorf("write ARP frame: %w", err)
	}
	if serr != nil {
		return fmt.Errorf("write ARP frame: %w", serr)
	}
	return nil
}

// htons is v in network byte order, as sll_protocol wants it.
func htons(v uint16) uint16 { return v<<8 | v>>8 }
