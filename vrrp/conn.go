package vrrp

import (
	"net/netip"
	"time"
)

// Packet is a received VRRP packet with the IP header fields the checks need.
type Packet struct {
	Src, Dst netip.Addr
	// TTL is the IPv4 TTL or the IPv6 hop limit.
	TTL     int
	Payload []byte
	// Age is how long ago the kernel received the packet (0 if unknown).
	Age time.Duration
}

// Conn sends and receives adverts for one virtual router. The Linux
// implementation is Listen; tests use in-memory ones.
type Conn interface {
	// Send transmits a to the multicast group or to every peer.
	Send(a Advert) error
	// Receive blocks for the next packet. Payload is valid until the next call.
	Receive() (Packet, error)
	// Primary is the address adverts are sent from (the tie-breaker).
	Primary() netip.Addr
	// Close unblocks Receive and releases the socket.
	Close() error
}

// Clock gives the node the time and its timers, so tests can replace it.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) Timer
}

// Timer is the part of *time.Timer the node uses.
type Timer interface {
	C() <-chan time.Time
	Reset(d time.Duration)
	Stop()
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// NewTimer wraps time.NewTimer.
func (SystemClock) NewTimer(d time.Duration) Timer { return sysTimer{time.NewTimer(d)} }

type sysTimer struct{ t *time.Timer }

func (s sysTimer) C() <-chan time.Time   { return s.t.C }
func (s sysTimer) Reset(d time.Duration) { s.t.Reset(d) }
func (s sysTimer) Stop()                 { s.t.Stop() }
