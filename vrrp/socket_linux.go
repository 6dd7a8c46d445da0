package vrrp

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"
)

// tosInternetworkControl is the IPv4 TOS / IPv6 traffic class adverts carry
// (precedence 6, as other VRRP implementations send).
const tosInternetworkControl = 0xc0

// Listen opens the raw IP protocol 112 socket for cfg on cfg.Interface:
// bound to the device, TTL / hop limit 255, joined to the multicast group
// unless cfg has unicast peers. Adverts leave from the interface's primary
// address: its first IPv4 address, or its IPv6 link-local address.
//
// With cfg.KernelTimedAdverts, the Conn is also a TimedSender when the
// interface's qdisc honours departure times; KernelTimed says why not
// otherwise.
//
// Listen needs Linux; on any other GOOS it returns an error wrapping
// errors.ErrUnsupported.
func Listen(cfg Config) (Conn, error) {
	return listen(cfg, true)
}

// listen is Listen; checkQdisc false enables SO_TXTIME whatever the qdisc.
func listen(cfg Config, checkQdisc bool) (Conn, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ifi, err := net.InterfaceByName(cfg.Interface)
	if err != nil {
		return nil, fmt.Errorf("open vrrp socket on %s: %w", cfg.Interface, err)
	}
	primary, err := primaryAddr(ifi, cfg.IPv6(), cfg.Source)
	if err != nil {
		return nil, err
	}
	network, any := "ip4:112", "0.0.0.0"
	if cfg.IPv6() {
		network, any = "ip6:112", "::"
	}
	lc := net.ListenConfig{Control: bindToDevice(ifi.Name)}
	pc, err := lc.ListenPacket(context.Background(), network, any)
	if err != nil {
		return nil, fmt.Errorf("open vrrp socket %s on %s: %w", network, ifi.Name, err)
	}
	var c linuxConn
	if cfg.IPv6() {
		c, err = newConn6(pc, ifi, primary, cfg.Peers)
	} else {
		c, err = newConn4(pc, ifi, primary, cfg.Peers)
	}
	if err != nil {
		pc.Close()
		return nil, fmt.Errorf("set up vrrp socket on %s: %w", ifi.Name, err)
	}
	if cfg.KernelTimedAdverts {
		c.raw().setupTxtime(checkQdisc)
	}
	return c, nil
}

func bindToDevice(name string) func(string, string, syscall.RawConn) error {
	return func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = unix.SetsockoptString(int(fd), unix.SOL_SOCKET, unix.SO_BINDTODEVICE, name)
		})
		if err != nil {
			return err
		}
		if serr != nil {
			return fmt.Errorf("bind to device %s: %w", name, serr)
		}
		return nil
	}
}

// primaryAddr picks the address adverts are sent from: source when valid
// (it must be an address of ifi), else the family's default.
func primaryAddr(ifi *net.Interface, v6 bool, source netip.Addr) (netip.Addr, error) {
	addrs, err := ifi.Addrs()
	if err != nil {
		return netip.Addr{}, fmt.Errorf("list addresses of %s: %w", ifi.Name, err)
	}
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(n.IP)
		if !ok {
			continue
		}
		ip = ip.Unmap()
		if source.IsValid() {
			if ip == source {
				return ip, nil
			}
			continue
		}
		if v6 && ip.Is6() && ip.IsLinkLocalUnicast() {
			return ip, nil
		}
		if !v6 && ip.Is4() {
			return ip, nil
		}
	}
	if source.IsValid() {
		return netip.Addr{}, fmt.Errorf("use source %s on %s: not an address of the interface", source, ifi.Name)
	}
	fam := "IPv4"
	if v6 {
		fam = "IPv6 link-local"
	}
	return netip.Addr{}, fmt.Errorf("find primary address of %s: no %s address", ifi.Name, fam)
}

func ipAddr(a netip.Addr, zone string) *net.IPAddr {
	if a.Is6() && (a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast()) {
		return &net.IPAddr{IP: a.AsSlice(), Zone: zone}
	}
	return &net.IPAddr{IP: a.AsSlice()}
}

// linuxConn is what both families' sockets implement.
type linuxConn interface {
	Conn
	TimedSender
	raw() *rawConn
}

// sockopt is one named socket setup step.
type sockopt struct {
	what string
	f    func() error
}

func setAll(opts []sockopt) error {
	for _, o := range opts {
		if err := o.f(); err != nil {
			return fmt.Errorf("%s: %w", o.what, err)
		}
	}
	return nil
}

// rawConn is the part of the IPv4 and IPv6 conns that does not depend on
// the family.
type rawConn struct {
	ifi     *net.Interface
	primary netip.Addr
	dsts    []netip.Addr // the group, or the unicast peers
	sendBuf []byte
	recvBuf []byte
	oob     []byte // control messages of kernel-timed sends
	rr      *rawReader
	// txtimeErr is why SendAt cannot be used; nil when it can.
	txtimeErr error
	// thread is the timing thread, once started; proc the advert sender
	// process.
	thread *sendThread
	proc   *procSender
}

func newRawConn(c net.PacketConn, ifi *net.Interface, primary netip.Addr, peers []netip.Addr, group netip.Addr, mtu int) (rawConn, error) {
	rr, err := newRawReader(c)
	if err != nil {
		return rawConn{}, err
	}
	dsts := peers
	if len(dsts) == 0 {
		dsts = []netip.Addr{group}
	}
	return rawConn{ifi: ifi, primary: primary, dsts: dsts, recvBuf: make([]byte, mtu), rr: rr,
		txtimeErr: fmt.Errorf("%w on %s: not configured", ErrTxtimeUnavailable, ifi.Name)}, nil
}

// Primary is the address adverts are sent from.
func (c *rawConn) Primary() netip.Addr { return c.primary }

func (c *rawConn) raw() *rawConn { return c }

// sendAll encodes a for each destination (the checksum depends on it) and
// writes it.
func (c *rawConn) sendAll(a Advert, write func(b []byte, dst netip.Addr) error) error {
	for _, dst := range c.dsts {
		b, err := a.AppendMarshal(c.sendBuf[:0], c.primary, dst)
		if err != nil {
			return err
		}
		c.sendBuf = b
		if err := write(b, dst); err != nil {
			return fmt.Errorf("send advert to %s on %s: %w", dst, c.ifi.Name, err)
		}
	}
	return nil
}
