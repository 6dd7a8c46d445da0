package vrrp

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// injectArg tells the inject helper what to send.
type injectArg struct {
	Cfg   Config   // interface, VRID, VIPs and family of the target VR
	Cases []string // see badAdvert
	TTL   int      // for the "ttl" case
}

// badAdvert builds a priority-255 advert for cfg from src and breaks it in
// the named way; a packet that got through would make a Master step down.
func badAdvert(cfg Config, src, dst netip.Addr, how string) []byte {
	a := Advert{VRID: cfg.VRID, Priority: 255, Interval: uint16(cfg.AdvertInterval / centisecond), Addrs: cfg.VIPs}
	if how == "vrid" {
		a.VRID++
	}
	b, err := a.AppendMarshal(nil, src, dst)
	if err != nil {
		fail(err)
	}
	resum := func() {
		b[6], b[7] = 0, 0
		binary.BigEndian.PutUint16(b[6:], checksum(b, src, dst))
	}
	switch how {
	case "checksum":
		b[7] ^= 0x5a
	case "version":
		b[0] = 2<<4 | TypeAdvertisement
		resum()
	case "truncated":
		b = b[:6]
	case "count":
		b[3] = uint8(len(cfg.VIPs) + 2)
		resum()
	case "valid", "ttl", "vrid":
	default:
		fail(fmt.Errorf("unknown bad packet %q", how))
	}
	return b
}

// helperInject sends the bad packets to the multicast group and exits.
func helperInject(in injectArg) {
	ifi, err := net.InterfaceByName(in.Cfg.Interface)
	if err != nil {
		fail(err)
	}
	src, err := primaryAddr(ifi, in.Cfg.IPv6(), netip.Addr{})
	if err != nil {
		fail(err)
	}
	for _, how := range in.Cases {
		ttl := TTL
		if how == "ttl" {
			ttl = in.TTL
		}
		if err := injectOne(in.Cfg, ifi, src, ttl, how); err != nil {
			fail(err)
		}
	}
	emit(helperMsg{Kind: "ready"})
}

func injectOne(cfg Config, ifi *net.Interface, src netip.Addr, ttl int, how string) error {
	if cfg.IPv6() {
		c, err := net.ListenPacket("ip6:112", "::")
		if err != nil {
			return err
		}
		defer c.Close()
		pc := ipv6.NewPacketConn(c)
		pc.SetMulticastInterface(ifi)
		pc.SetMulticastHopLimit(ttl)
		b := badAdvert(cfg, src, GroupIPv6, how)
		_, err = pc.WriteTo(b, &ipv6.ControlMessage{Src: src.AsSlice(), IfIndex: ifi.Index, HopLimit: ttl}, ipAddr(GroupIPv6, ifi.Name))
		return err
	}
	c, err := net.ListenPacket("ip4:112", "0.0.0.0")
	if err != nil {
		return err
	}
	defer c.Close()
	pc := ipv4.NewPacketConn(c)
	pc.SetMulticastInterface(ifi)
	pc.SetMulticastTTL(ttl)
	_, err = pc.WriteTo(badAdvert(cfg, src, GroupIPv4, how), nil, ipAddr(GroupIPv4, ""))
	return err
}
