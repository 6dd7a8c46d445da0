package vrrp

import (
	"fmt"
	"net"
	"net/netip"
	"time"

	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"
)

// conn6 is an IPv6 VRRP socket. The checksum is computed and verified
// here rather than by the kernel (IPV6_CHECKSUM), so that bad checksums are
// counted instead of silently dropped.
type conn6 struct {
	rawConn
	pc *ipv6.PacketConn
}

func newConn6(c net.PacketConn, ifi *net.Interface, primary netip.Addr, peers []netip.Addr) (*conn6, error) {
	pc := ipv6.NewPacketConn(c)
	opts := []sockopt{
		{"set control messages", func() error {
			return pc.SetControlMessage(ipv6.FlagHopLimit|ipv6.FlagDst|ipv6.FlagInterface, true)
		}},
		{"set hop limit", func() error { return pc.SetHopLimit(TTL) }},
		{"set multicast hop limit", func() error { return pc.SetMulticastHopLimit(TTL) }},
		{"set traffic class", func() error { return pc.SetTrafficClass(tosInternetworkControl) }},
		{"set multicast interface", func() error { return pc.SetMulticastInterface(ifi) }},
		{"disable multicast loopback", func() error { return pc.SetMulticastLoopback(false) }},
	}
	if len(peers) == 0 {
		opts = append(opts, sockopt{"join " + GroupIPv6.String(), func() error { return pc.JoinGroup(ifi, ipAddr(GroupIPv6, ifi.Name)) }})
	}
	if err := setAll(opts); err != nil {
		return nil, err
	}
	rc, err := newRawConn(c, ifi, primary, peers, GroupIPv6, 9000)
	if err != nil {
		return nil, err
	}
	return &conn6{rawConn: rc, pc: pc}, nil
}

func (c *conn6) Close() error {
	c.stopThread()
	return c.pc.Close()
}

func (c *conn6) Send(a Advert) error {
	cm := &ipv6.ControlMessage{Src: c.primary.AsSlice(), IfIndex: c.ifi.Index, HopLimit: TTL}
	return c.sendAll(a, func(b []byte, dst netip.Addr) error {
		_, err := c.pc.WriteTo(b, cm, ipAddr(dst, c.ifi.Name))
		return err
	})
}

// SendAt queues a to leave at at (SO_TXTIME).
func (c *conn6) SendAt(a Advert, at time.Time) error {
	cm := &ipv6.ControlMessage{Src: c.primary.AsSlice(), IfIndex: c.ifi.Index, HopLimit: TTL}
	return c.sendTimed(a, at, cm.Marshal(), func(dst netip.Addr) unix.Sockaddr {
		sa := &unix.SockaddrInet6{Addr: dst.As16()}
		if dst.IsLinkLocalUnicast() || dst.IsLinkLocalMulticast() {
			sa.ZoneId = uint32(c.ifi.Index)
		}
		return sa
	})
}

func (c *conn6) Receive() (Packet, error) {
	n, oob, from, err := c.rr.read(c.recvBuf)
	if err != nil {
		return Packet{}, fmt.Errorf("receive on %s: %w", c.ifi.Name, err)
	}
	ci := parseCmsgs(oob)
	p := Packet{Dst: ci.dst, TTL: ci.hopLimit, Payload: c.recvBuf[:n], Age: ci.age}
	if sa, ok := from.(*unix.SockaddrInet6); ok {
		p.Src = netip.AddrFrom16(sa.Addr)
	}
	return p, nil
}
