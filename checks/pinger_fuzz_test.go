package checks

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
)

// FuzzPingerDeliver feeds arbitrary packets to the ICMP reply matcher: it
// must never panic, and must wake a ping only for its exact reply.
func FuzzPingerDeliver(f *testing.F) {
	data := make([]byte, 16)
	binary.BigEndian.PutUint64(data, 0x5eed)
	reply, _ := (&icmp.Message{Type: ipv4.ICMPTypeEchoReply, Body: &icmp.Echo{ID: 7, Seq: 1, Data: data}}).Marshal(nil)
	f.Add(reply, true)
	f.Add(reply[:6], true)
	f.Add([]byte{0, 0, 0, 0, 0, 7, 0, 1}, false)
	f.Add([]byte{}, true)
	f.Fuzz(func(t *testing.T, b []byte, v6 bool) {
		p := &pinger{raw: true, id: 7, pending: make(map[uint16]*ping), proto: 1, repT: ipv4.ICMPTypeEchoReply}
		if v6 {
			p.proto = 58
		}
		dst := netip.MustParseAddr("127.0.0.1")
		pg := &ping{dst: dst, token: 0x5eed, reply: make(chan struct{}, 1)}
		p.pending[1] = pg
		p.deliver(b, &net.IPAddr{IP: dst.AsSlice()})
		select {
		case <-pg.reply:
			m, err := icmp.ParseMessage(p.proto, b)
			if err != nil || m.Type != p.repT {
				t.Fatalf("woke a ping for a non-reply %x", b)
			}
			e := m.Body.(*icmp.Echo)
			if e.ID != 7 || e.Seq != 1 || binary.BigEndian.Uint64(e.Data) != 0x5eed {
				t.Fatalf("woke a ping for someone else's reply %+v", e)
			}
		default:
		}
	})
}
