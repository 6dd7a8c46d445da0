package vrrp

import (
	"fmt"
	"net"
	"net/netip"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

// conn4 is an IPv4 VRRP socket.
type conn4 struct {
	rawConn
	pc *ipv4.PacketConn
}

func newConn4(c net.PacketConn, ifi *net.Interface, primary netip.Addr, peers []netip.Addr) (*conn4, error) {
	pc := ipv4.NewPacketConn(c)
	opts := []sockopt{
		{"set TTL", func() error { return pc.SetTTL(TTL) }},
		{"set multicast TTL", func() error { return pc.SetMulticastTTL(TTL) }},
		{"set TOS", func() error { return pc.SetTOS(tosInternetworkControl) }},
		{"set multicast interface", func() error { return pc.SetMulticastInterface(ifi) }},
		{"disable multicast loopback", func() error { return pc.SetMulticastLoopback(false) }},
	}
	if len(peers) == 0 {
		opts = append(opts, sockopt{"join " + GroupIPv4.String(), func() error { return pc.JoinGroup(ifi, ipAddr(GroupIPv4, "")) }})
	}
	if err := setAll(opts); err != nil {
		return nil, err
	}
	rc, err := newRawConn(c, ifi, primary, peers, GroupIPv4, 1500)
	if err != nil {
		return nil, err
	}
	return &conn4{rawConn: rc, pc: pc}, nil
}

func (c *conn4) Close() error {
	c.stopThread()
	return c.pc.Close()
}

func (c *conn4) Send(a Advert) error {
	cm := &ipv4.ControlMessage{Src: c.primary.AsSlice(), IfIndex: c.ifi.Index}
	return c.sendAll(a, func(b []byte, dst netip.Addr) error {
		_, err := c.pc.WriteTo(b, cm, ipAddr(dst, ""))
		return err
	})
}

// SendAt queues a to leave at at (SO_TXTIME).
func (c *conn4) SendAt(a Advert, at time.Time) error {
	cm := &ipv4.ControlMessage{Src: c.primary.AsSlice(), IfIndex: c.ifi.Index}
	return c.sendTimed(a, at, cm.Marshal(), func(dst netip.Addr) unix.Sockaddr {
		return &unix.SockaddrInet4{Addr: dst.As4()}
	})
}

func (c *conn4) Receive() (Packet, error) {
	for {
		n, oob, _, err := c.rr.read(c.recvBuf)
		if err != nil {
			return Packet{}, fmt.Errorf("receive on %s: %w", c.ifi.Name, err)
		}
		src, dst, ttl, payload, ok := parseIPv4(c.recvBuf[:n])
		if !ok {
			continue // the kernel validated the IP header; never expected
		}
		return Packet{Src: src, Dst: dst, TTL: ttl, Payload: payload, Age: parseCmsgs(oob).age}, nil
	}
}
