package vrrp

import (
	"bytes"
	"errors"
	"net/netip"
	"slices"
	"testing"

	"github.com/seesaw-lb/seesaw/desired"
)

var protoDsts = []netip.Addr{netip.MustParseAddr("192.0.2.2"), netip.MustParseAddr("fe80::2")}

// TestSenderProtoRoundTrip: every message decodes to what was encoded.
func TestSenderProtoRoundTrip(t *testing.T) {
	var m senderMsg
	if err := decodeSenderMsg(&m, appendSetup(nil, 50, protoDsts, 7, []byte{1, 2, 3})); err != nil {
		t.Fatal(err)
	}
	if m.typ != msgSetup || m.prio != 50 || m.zone != 7 || !slices.Equal(m.dsts, protoDsts) || !bytes.Equal(m.oob, []byte{1, 2, 3}) {
		t.Fatalf("setup decoded as %+v", m)
	}
	pkts := [][]byte{bytes.Repeat([]byte{0xaa}, 12), bytes.Repeat([]byte{0xbb}, 24)}
	if err := decodeSenderMsg(&m, appendAdvert(nil, 0, 123456789, 100e6, pkts)); err != nil {
		t.Fatal(err)
	}
	if m.typ != msgAdvert || m.flags != 0 || m.due != 123456789 || m.interval != 100e6 || len(m.pkts) != 2 ||
		!bytes.Equal(m.pkts[0], pkts[0]) || !bytes.Equal(m.pkts[1], pkts[1]) {
		t.Fatalf("advert decoded as %+v", m)
	}
	c := senderCounters{sent: 1, late: 2, maxLate: 3, repeated: 4, dropped: 5, expired: 6, sendErrors: 7, covered: 8, ownLate: 9, maxOwnLate: 10, allocs: 11}
	if err := decodeSenderMsg(&m, appendStats(nil, &c)); err != nil || m.counters != c {
		t.Fatalf("stats decoded as %+v, %v", m.counters, err)
	}
	if err := decodeSenderMsg(&m, appendReady(nil, 10, 11, "no rt", "")); err != nil || m.pid != 10 || m.tid != 11 || m.rtErr != "no rt" || m.mlockErr != "" {
		t.Fatalf("ready decoded as %+v, %v", m, err)
	}
	if err := decodeSenderMsg(&m, appendErrorText(nil, []byte("boom"))); err != nil || m.text != "boom" {
		t.Fatalf("error decoded as %q, %v", m.text, err)
	}
	if err := decodeSenderMsg(&m, appendPeers(nil, protoDsts)); err != nil || m.typ != msgPeers || !slices.Equal(m.dsts, protoDsts) {
		t.Fatalf("peers decoded as %+v, %v", m, err)
	}
}

// TestSenderProtoRejects: each malformed message gets its error.
func TestSenderProtoRejects(t *testing.T) {
	good := appendAdvert(nil, 0, 5, 100e6, [][]byte{make([]byte, 12)})
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	for _, c := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, errSenderShort},
		{"version", mut(func(b []byte) []byte { b[0] = 2; return b }), errSenderVersion},
		{"type", mut(func(b []byte) []byte { b[1] = 9; return b }), errSenderType},
		{"reserved", mut(func(b []byte) []byte { b[3] = 1; return b }), errSenderReserved},
		{"truncated", good[:len(good)-1], errSenderShort},
		{"trailing", append(append([]byte(nil), good...), 0), errSenderTrailing},
		{"unknown flag", mut(func(b []byte) []byte { b[4] = 0x80; return b }), errSenderBounds},
		{"no packets", appendAdvert(nil, 0, 5, 100e6, nil), errSenderBounds},
		{"short packet", appendAdvert(nil, 0, 5, 100e6, [][]byte{make([]byte, 7)}), errSenderBounds},
		{"now with a due time", appendAdvert(nil, advertNow, 5, 100e6, [][]byte{make([]byte, 12)}), errSenderBounds},
		{"due time 0 without now", appendAdvert(nil, 0, 0, 100e6, [][]byte{make([]byte, 12)}), errSenderBounds},
		{"negative interval", appendAdvert(nil, 0, 5, -1, [][]byte{make([]byte, 12)}), errSenderBounds},
		{"setup without destinations", appendSetup(nil, 0, nil, 0, nil), errSenderBounds},
		{"setup priority 100", appendSetup(nil, 100, protoDsts, 0, nil), errSenderBounds},
		{"peers without destinations", appendPeers(nil, nil), errSenderBounds},
		{"peers over the bound", appendPeers(nil, make([]netip.Addr, maxSenderDsts+1)), errSenderBounds},
		{"peers reserved", func() []byte { b := appendPeers(nil, protoDsts); b[6] = 1; return b }(), errSenderReserved},
		{"peers address length 5", func() []byte { b := appendPeers(nil, protoDsts[:1]); b[8] = 5; return b }(), errSenderBounds},
		{"peers truncated", func() []byte { b := appendPeers(nil, protoDsts); return b[:len(b)-1] }(), errSenderShort},
		{"stats truncated", func() []byte { b := appendStats(nil, &senderCounters{}); return b[:len(b)-8] }(), errSenderShort},
		{"stats trailing", append(appendStats(nil, &senderCounters{}), 0), errSenderTrailing},
	} {
		var m senderMsg
		if err := decodeSenderMsg(&m, c.b); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

// TestSenderProtoAdvertDoesNotAllocate: the sender process runs without
// the garbage collector, so decoding an advert must not allocate.
func TestSenderProtoAdvertDoesNotAllocate(t *testing.T) {
	b := appendAdvert(nil, 0, 5, 100e6, [][]byte{make([]byte, 12), make([]byte, 12)})
	m := senderMsg{pkts: make([][]byte, 0, maxSenderDsts)}
	if n := testing.AllocsPerRun(100, func() { decodeSenderMsg(&m, b) }); n != 0 {
		t.Fatalf("decoding an advert allocates %v times", n)
	}
}

// TestSenderProtoPeersDoesNotAllocate: a peers message, which the
// process takes while it runs, decodes into the destinations' room
// without allocating.
func TestSenderProtoPeersDoesNotAllocate(t *testing.T) {
	b := appendPeers(nil, protoDsts)
	m := senderMsg{dsts: make([]netip.Addr, 0, maxSenderDsts)}
	if n := testing.AllocsPerRun(100, func() { decodeSenderMsg(&m, b) }); n != 0 {
		t.Fatalf("decoding a peers message allocates %v times", n)
	}
}

// FuzzDecodeSenderMessage: no input panics or overruns, and a decoded
// advert, peers or stats message encodes back to the same bytes.
func FuzzDecodeSenderMessage(f *testing.F) {
	f.Add(appendSetup(nil, 50, protoDsts, 7, []byte{1, 2, 3}))
	f.Add(appendAdvert(nil, 0, 5, 100e6, [][]byte{make([]byte, 12)}))
	f.Add(appendAdvert(nil, advertNow|advertFinal, 0, 100e6, [][]byte{make([]byte, 12), make([]byte, 40)}))
	f.Add(appendHeader(nil, msgCancel))
	f.Add(appendPeers(nil, protoDsts))
	f.Add(appendStats(nil, &senderCounters{sent: 3, allocs: 7}))
	f.Add(appendReady(nil, 1, 2, "x", "y"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m senderMsg
		if err := decodeSenderMsg(&m, b); err != nil {
			return
		}
		if m.typ == msgPeers {
			if got := appendPeers(nil, m.dsts); !bytes.Equal(got, b) {
				t.Fatalf("peers %x encodes back as %x", b, got)
			}
			return
		}
		if m.typ == msgStats {
			if got := appendStats(nil, &m.counters); !bytes.Equal(got, b) {
				t.Fatalf("stats %x encodes back as %x", b, got)
			}
			return
		}
		if m.typ != msgAdvert {
			return
		}
		if got := appendAdvert(nil, m.flags, m.due, m.interval, m.pkts); !bytes.Equal(got, b) {
			t.Fatalf("advert %x encodes back as %x", b, got)
		}
	})
}

// TestSenderPeersLimitIsTheConfigs: the config refuses more unicast peers
// than the advert sender process takes (desired.MaxSenderProcessPeers), so
// a reload never meets the process's limit.
func TestSenderPeersLimitIsTheConfigs(t *testing.T) {
	if maxSenderDsts != desired.MaxSenderProcessPeers {
		t.Fatalf("the sender process takes %d destinations, the config allows %d peers", maxSenderDsts, desired.MaxSenderProcessPeers)
	}
}
