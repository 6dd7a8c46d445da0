package checks

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// errPingersClosed is returned by pings after the engine stopped.
var errPingersClosed = errors.New("icmp sockets closed")

// pingers holds one ICMP socket per address family, opened on first use and
// shared by every icmp check.
type pingers struct {
	mu     sync.Mutex
	v4, v6 *pinger
	closed bool
	// pingSocket skips raw sockets (tests of the unprivileged path).
	pingSocket bool
}

// get returns the pinger for the family of dst, opening it if needed.
func (ps *pingers) get(dst netip.Addr) (*pinger, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.closed {
		return nil, errPingersClosed
	}
	slot := &ps.v4
	if dst.Is6() {
		slot = &ps.v6
	}
	if *slot == nil {
		p, err := openPinger(dst.Is6(), ps.pingSocket)
		if err != nil {
			return nil, err
		}
		*slot = p
	}
	return *slot, nil
}

// close closes the sockets and waits for their readers to exit.
func (ps *pingers) close() {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.closed = true
	for _, p := range []*pinger{ps.v4, ps.v6} {
		if p != nil {
			p.conn.Close()
			<-p.done
		}
	}
	ps.v4, ps.v6 = nil, nil
}

// pinger is one ICMP socket with its outstanding echo requests, keyed by
// sequence number. A raw socket sees every echo reply on the host, so
// replies are also matched on identifier, source address and a random
// token in the payload; a ping socket (udp4/udp6) gets only its own.
type pinger struct {
	conn  net.PacketConn
	v6    bool
	raw   bool
	id    int
	reqT  icmp.Type
	repT  icmp.Type
	proto int

	mu      sync.Mutex
	seq     uint16
	pending map[uint16]*ping
	done    chan struct{}
}

// ping is one outstanding echo request.
type ping struct {
	dst   netip.Addr
	token uint64
	reply chan struct{}
}

// openPinger opens a raw ICMP socket, or an unprivileged ping socket when
// raw sockets are not permitted.
func openPinger(v6, pingSocket bool) (*pinger, error) {
	p := &pinger{v6: v6, id: rand.IntN(0xffff) + 1, pending: make(map[uint16]*ping), done: make(chan struct{})}
	p.reqT, p.repT, p.proto = icmp.Type(ipv4.ICMPTypeEcho), icmp.Type(ipv4.ICMPTypeEchoReply), 1
	if v6 {
		p.reqT, p.repT, p.proto = ipv6.ICMPTypeEchoRequest, ipv6.ICMPTypeEchoReply, 58
	}
	conn, rawErr := net.PacketConn(nil), errors.New("not tried")
	if !pingSocket {
		conn, rawErr = openRawICMP(v6)
	}
	p.conn, p.raw = conn, true
	if rawErr != nil {
		network, addr := "udp4", "0.0.0.0"
		if v6 {
			network, addr = "udp6", "::"
		}
		c, err := icmp.ListenPacket(network, addr)
		if err != nil {
			return nil, fmt.Errorf("open icmp socket: raw: %v; ping socket: %w", rawErr, err)
		}
		p.conn, p.raw = c, false
	}
	go p.read()
	return p, nil
}

// register reserves a free sequence number for a ping to dst.
func (p *pinger) register(dst netip.Addr) (uint16, *ping, error) {
	pg := &ping{dst: dst, token: rand.Uint64(), reply: make(chan struct{}, 1)}
	p.mu.Lock()
	defer p.mu.Unlock()
	for range 1 << 16 {
		p.seq++
		if _, busy := p.pending[p.seq]; !busy {
			p.pending[p.seq] = pg
			return p.seq, pg, nil
		}
	}
	return 0, nil, errors.New("65536 echo requests outstanding")
}

// unregister frees a sequence number.
func (p *pinger) unregister(seq uint16) {
	p.mu.Lock()
	delete(p.pending, seq)
	p.mu.Unlock()
}

// send writes an echo request for seq to dst.
func (p *pinger) send(seq uint16, pg *ping) error {
	data := make([]byte, 16)
	binary.BigEndian.PutUint64(data, pg.token)
	m := icmp.Message{Type: p.reqT, Body: &icmp.Echo{ID: p.id, Seq: int(seq), Data: data}}
	b, err := m.Marshal(nil) // the kernel fills in the ICMPv6 checksum
	if err != nil {
		return err
	}
	var to net.Addr = &net.IPAddr{IP: pg.dst.AsSlice(), Zone: pg.dst.Zone()}
	if !p.raw {
		to = &net.UDPAddr{IP: pg.dst.AsSlice(), Zone: pg.dst.Zone()}
	}
	_, err = p.conn.WriteTo(b, to)
	return err
}

// read delivers echo replies to their pings until the socket is closed.
func (p *pinger) read() {
	defer close(p.done)
	buf := make([]byte, 1500)
	for {
		n, from, err := p.conn.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		p.deliver(buf[:n], from)
	}
}

// deliver matches one received ICMP message to its outstanding ping.
func (p *pinger) deliver(b []byte, from net.Addr) {
	m, err := icmp.ParseMessage(p.proto, b)
	if err != nil || m.Type != p.repT {
		return
	}
	echo, ok := m.Body.(*icmp.Echo)
	if !ok || len(echo.Data) < 8 || (p.raw && echo.ID != p.id) {
		return
	}
	src := addrOf(from)
	p.mu.Lock()
	pg := p.pending[uint16(echo.Seq)]
	p.mu.Unlock()
	if pg == nil || pg.dst.WithZone("") != src || binary.BigEndian.Uint64(echo.Data) != pg.token {
		return
	}
	select {
	case pg.reply <- struct{}{}:
	default:
	}
}

// addrOf extracts the IP of a socket address, unmapped and without zone.
func addrOf(a net.Addr) netip.Addr {
	var ip net.IP
	switch a := a.(type) {
	case *net.IPAddr:
		ip = a.IP
	case *net.UDPAddr:
		ip = a.IP
	}
	addr, _ := netip.AddrFromSlice(ip)
	return addr.Unmap()
}
