package wire

import (
	"bytes"
	"errors"
	"testing"

	"github.com/mdlayher/netlink"
)

func TestIterMatchesNetlinkDecoder(t *testing.T) {
	ae := netlink.NewAttributeEncoder()
	ae.Uint8(1, 7)
	ae.Uint16(2, 0x1234)
	ae.Uint32(3, 0xdeadbeef)
	ae.Uint64(4, 1<<40)
	ae.String(5, "wrr")
	ae.Nested(6, func(n *netlink.AttributeEncoder) error { n.Uint32(1, 9); return nil })
	ae.Bytes(7, []byte{1, 2, 3}) // padded to 4
	b, err := ae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	it := Iter(b)
	var got []any
	for it.Next() {
		switch it.Type() {
		case 1:
			got = append(got, it.Uint8())
		case 2:
			got = append(got, it.Uint16())
		case 3:
			got = append(got, it.Uint32())
		case 4:
			got = append(got, it.Uint64())
		case 5:
			got = append(got, it.Str("rr", "wrr"))
		case 6:
			in := Iter(it.Data())
			for in.Next() {
				got = append(got, in.Uint32())
			}
		case 7:
			got = append(got, string(it.Data()))
		}
	}
	want := []any{uint8(7), uint16(0x1234), uint32(0xdeadbeef), uint64(1 << 40), "wrr", uint32(9), "\x01\x02\x03"}
	if it.Err() != nil || len(got) != len(want) {
		t.Fatalf("got %v, %v; want %v", got, it.Err(), want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("attribute %d: got %#v, want %#v", i, got[i], want[i])
		}
	}
}

func TestIterRejectsMalformedLists(t *testing.T) {
	for name, b := range map[string][]byte{
		"short header":      {8, 0},
		"length below 4":    {2, 0, 1, 0},
		"length past end":   {12, 0, 1, 0, 0, 0, 0, 0},
		"u32 of wrong size": {6, 0, 3, 0, 1, 2, 0, 0},
	} {
		it := Iter(b)
		for it.Next() {
			it.Uint32()
		}
		if err := AttrError("test", it.Err()); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}

func TestIterAllocatesNothing(t *testing.T) {
	ae := netlink.NewAttributeEncoder()
	ae.Uint32(1, 5)
	ae.String(2, "wrr")
	b, _ := ae.Encode()
	allocs := testing.AllocsPerRun(100, func() {
		it := Iter(b)
		for it.Next() {
			_ = it.Uint32()
			_ = it.Str("wrr")
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per walk, want 0", allocs)
	}
}

func TestAppendRequestMatchesAppendMessage(t *testing.T) {
	for _, attrs := range [][]byte{nil, {8, 0, 1, 0, 1, 2, 3, 4}, {5, 0, 1, 0, 9, 0, 0, 0}} {
		want := AppendMessage([]byte{0xff}, Message{Type: 0x1d, Flags: NlmFRequest | NlmFDump, Seq: 77, Payload: GenlPayload(CmdGetDest, attrs)})
		got := AppendRequest([]byte{0xff}, 0x1d, NlmFRequest|NlmFDump, 77, CmdGetDest, attrs)
		if !bytes.Equal(got, want) {
			t.Fatalf("attrs %v:\n got %x\nwant %x", attrs, got, want)
		}
	}
}

func TestNextMessageMatchesSplitMessages(t *testing.T) {
	b := AppendMessage(nil, Message{Type: 0x1d, Flags: NlmFMulti, Seq: 3, Payload: GenlPayload(CmdNewDest, []byte{5, 0, 1, 0, 7, 0, 0, 0})})
	b = AppendMessage(b, Message{Type: NlmsgDone, Flags: NlmFMulti, Seq: 3, Payload: []byte{0, 0, 0, 0}})
	want, err := SplitMessages(b)
	if err != nil {
		t.Fatal(err)
	}
	for i, rest := 0, b; len(rest) > 0; i++ {
		var m Message
		if m, rest, err = NextMessage(rest); err != nil {
			t.Fatal(err)
		}
		w := want[i]
		if m.Type != w.Type || m.Flags != w.Flags || m.Seq != w.Seq || !bytes.Equal(m.Payload, w.Payload) {
			t.Fatalf("message %d: %+v, want %+v", i, m, w)
		}
	}
	if _, _, err := NextMessage(b[:10]); !errors.Is(err, ErrMalformed) {
		t.Fatalf("a truncated header: %v, want ErrMalformed", err)
	}
}
