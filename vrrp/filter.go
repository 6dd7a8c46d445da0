package vrrp

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync/atomic"
)

// filter applies the RFC 9568 section 7.1 receive checks for one virtual
// router. It is safe for concurrent use: priority and peers are read
// atomically.
type filter struct {
	vrid    uint8
	ipv6    bool
	primary netip.Addr
	peers   atomic.Pointer[[]netip.Addr] // nil or empty: multicast
	group   netip.Addr
	owner   func() bool
}

// setPeers replaces the unicast peers adverts are accepted from.
func (f *filter) setPeers(peers []netip.Addr) {
	ps := slices.Clone(peers)
	f.peers.Store(&ps)
}

// check returns the advert in p, or an error wrapping the DropReason.
func (f *filter) check(p Packet) (Advert, error) {
	if p.Src.Is4() == f.ipv6 {
		return Advert{}, fmt.Errorf("check packet from %s: %w", p.Src, DropFamily)
	}
	if p.TTL != TTL {
		return Advert{}, fmt.Errorf("check packet from %s: ttl %d: %w", p.Src, p.TTL, DropTTL)
	}
	if err := f.checkAddrs(p); err != nil {
		return Advert{}, err
	}
	a, err := ParseAdvert(p.Payload, p.Src, p.Dst)
	if err != nil {
		return Advert{}, err
	}
	if a.VRID != f.vrid {
		return Advert{}, fmt.Errorf("check packet from %s: VRID %d: %w", p.Src, a.VRID, DropVRID)
	}
	if f.owner() {
		return Advert{}, fmt.Errorf("check packet from %s: %w", p.Src, DropOwner)
	}
	return a, nil
}

func (f *filter) checkAddrs(p Packet) error {
	if p.Src == f.primary {
		return fmt.Errorf("check packet from %s: %w", p.Src, DropSelf)
	}
	var peers []netip.Addr
	if p := f.peers.Load(); p != nil {
		peers = *p
	}
	if len(peers) == 0 {
		if p.Dst != f.group {
			return fmt.Errorf("check packet from %s to %s: %w", p.Src, p.Dst, DropDest)
		}
		return nil
	}
	if p.Dst.IsMulticast() {
		return fmt.Errorf("check packet from %s to %s: %w", p.Src, p.Dst, DropDest)
	}
	if !slices.Contains(peers, p.Src) {
		return fmt.Errorf("check packet from %s: %w", p.Src, DropPeer)
	}
	return nil
}

// reasonOf extracts the DropReason of a check error.
func reasonOf(err error) (DropReason, bool) {
	var r DropReason
	ok := errors.As(err, &r)
	return r, ok
}
