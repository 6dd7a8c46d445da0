package checks

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"golang.org/x/net/bpf"
)

// onesSum is the one's complement sum of b in 16-bit words, folded: the
// receiver's check, independent of tcpChecksum4.
func onesSum(b []byte) uint16 {
	var sum uint64
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint64(b[i])<<8 | uint64(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint64(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return uint16(sum)
}

// TestBuildSYN4Checksum: the SYN's checksum verifies the way a receiver
// verifies it (the sum over pseudo-header and segment is all ones), for
// addresses and ports chosen to carry in the sum; and the fields read back.
func TestBuildSYN4Checksum(t *testing.T) {
	cases := []struct {
		src, dst     string
		sport, dport uint16
		seq          uint32
	}{
		{"127.0.0.1", "127.0.0.2", 40000, 80, 1},
		{"255.255.255.254", "255.255.255.255", 65535, 65535, 0xffffffff},
		{"10.0.0.1", "192.0.2.77", 1, 443, 0x80000000},
		{"0.0.0.0", "0.0.0.0", 0, 0, 0},
	}
	for _, c := range cases {
		src, dst := netip.MustParseAddr(c.src), netip.MustParseAddr(c.dst)
		var b [synLen]byte
		buildSYN(b[:], src, dst, c.sport, c.dport, c.seq)
		pseudo := append(append(src.AsSlice(), dst.AsSlice()...), 0, 6, 0, synLen)
		if got := onesSum(append(pseudo, b[:]...)); got != 0xffff {
			t.Errorf("%+v: sum over pseudo-header and segment %#04x, want 0xffff", c, got)
		}
		s, err := parseTCP(b[:])
		if err != nil || s.sport != c.sport || s.dport != c.dport || s.flags != tcpSYN {
			t.Errorf("%+v: parsed back %+v, %v", c, s, err)
		}
		if seq := binary.BigEndian.Uint32(b[4:]); seq != c.seq {
			t.Errorf("%+v: seq %d", c, seq)
		}
	}
}

// TestBuildSYN6LeavesChecksumToKernel: IPv6 SYNs carry a zero checksum for
// IPV6_CHECKSUM to fill.
func TestBuildSYN6LeavesChecksumToKernel(t *testing.T) {
	var b [synLen]byte
	buildSYN(b[:], netip.Addr{}, netip.MustParseAddr("2001:db8::1"), 1000, 80, 7)
	if c := binary.BigEndian.Uint16(b[16:]); c != 0 {
		t.Fatalf("checksum %#x, want 0", c)
	}
}

// ipv4Segment wraps a TCP header with flags and ack in an IPv4 header with
// ihl 32-bit words (options zeroed) from 192.0.2.9.
func ipv4Segment(ihl int, sport, dport uint16, ack uint32, flags uint8) []byte {
	b := make([]byte, ihl*4+20)
	b[0] = 4<<4 | byte(ihl)
	b[9] = 6
	copy(b[12:], []byte{192, 0, 2, 9})
	tcp := b[ihl*4:]
	binary.BigEndian.PutUint16(tcp[0:], sport)
	binary.BigEndian.PutUint16(tcp[2:], dport)
	binary.BigEndian.PutUint32(tcp[8:], ack)
	tcp[12] = 5 << 4
	tcp[13] = flags
	return b
}

func TestParseSegment4(t *testing.T) {
	for _, ihl := range []int{5, 6, 15} {
		s, err := parseSegment4(ipv4Segment(ihl, 80, 40000, 43, tcpSYN|tcpACK))
		want := segment{from: netip.MustParseAddr("192.0.2.9"), sport: 80, dport: 40000, ack: 43, flags: tcpSYN | tcpACK}
		if err != nil || s != want {
			t.Errorf("ihl %d: %+v, %v; want %+v", ihl, s, err, want)
		}
	}
	bad := map[string][]byte{
		"empty":        nil,
		"short ip":     make([]byte, 19),
		"ipv6":         append([]byte{6 << 4}, make([]byte, 39)...),
		"ihl 4":        append([]byte{4<<4 | 4}, make([]byte, 39)...),
		"short tcp":    ipv4Segment(5, 1, 2, 3, 4)[:39],
		"ihl past end": ipv4Segment(5, 1, 2, 3, 4)[:21],
	}
	for name, b := range bad {
		if _, err := parseSegment4(b); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
	udp := ipv4Segment(5, 1, 2, 3, 4)
	udp[9] = 17
	if _, err := parseSegment4(udp); err != errNotTCP {
		t.Errorf("udp datagram: %v, want errNotTCP", err)
	}
}

func TestClassify(t *testing.T) {
	const seq = 0xffffffff // the acknowledgment wraps to 0
	cases := []struct {
		flags uint8
		ack   uint32
		want  reply
	}{
		{tcpSYN | tcpACK, 0, replyOpen},
		{tcpRST | tcpACK, 0, replyRefused},
		{tcpSYN | tcpACK, 1, replyNone},             // answers another probe
		{tcpRST, 0, replyNone},                      // a RST without ACK acknowledges nothing
		{tcpSYN, 0, replyNone},                      // a SYN, not an answer
		{tcpACK, 0, replyNone},                      // a bare ACK
		{tcpSYN | tcpACK | tcpFIN, 0, replyNone},    // nonsense
		{tcpSYN | tcpACK | tcpRST, 0, replyRefused}, // a reset wins
	}
	for _, c := range cases {
		if got := classify(segment{flags: c.flags, ack: c.ack}, seq); got != c.want {
			t.Errorf("flags %#x ack %d: %v, want %v", c.flags, c.ack, got, c.want)
		}
	}
}

// TestReplyFilter runs the socket filter in x/net/bpf's interpreter: it
// keeps SYN or RST segments to the probe ports, with and without an IPv4
// header of any length in front, and drops everything else.
func TestReplyFilter(t *testing.T) {
	ports := []uint16{40000, 40001, 50000}
	for _, ipHeader := range []bool{true, false} {
		raw, err := replyFilter(ports, ipHeader)
		if err != nil {
			t.Fatal(err)
		}
		var prog []bpf.Instruction
		for _, r := range raw {
			prog = append(prog, r.Disassemble())
		}
		vm, err := bpf.NewVM(prog)
		if err != nil {
			t.Fatal(err)
		}
		for _, ihl := range []int{5, 15} {
			for _, c := range []struct {
				port  uint16
				flags uint8
				keep  bool
			}{
				{40000, tcpSYN | tcpACK, true}, {50000, tcpRST | tcpACK, true}, {40001, tcpRST, true},
				{40002, tcpSYN | tcpACK, false}, {39999, tcpRST, false}, {40000, tcpACK, false},
				{40000, tcpACK | tcpFIN, false}, {80, tcpSYN, false},
			} {
				b := ipv4Segment(ihl, 80, c.port, 1, c.flags)
				if !ipHeader {
					b = b[ihl*4:]
				}
				n, err := vm.Run(b)
				if err != nil {
					t.Fatal(err)
				}
				if (n > 0) != c.keep {
					t.Errorf("ip header %v ihl %d port %d flags %#x: filter returned %d, want keep=%v", ipHeader, ihl, c.port, c.flags, n, c.keep)
				}
			}
			if !ipHeader {
				break
			}
		}
	}
	if _, err := replyFilter(nil, true); err == nil {
		t.Error("a filter for no ports assembled")
	}
}

// FuzzParseSegment4 feeds arbitrary datagrams to the reply parser: it must
// not panic, and what it accepts must be consistent with the bytes.
func FuzzParseSegment4(f *testing.F) {
	f.Add(ipv4Segment(5, 80, 40000, 43, tcpSYN|tcpACK))
	f.Add(ipv4Segment(15, 1, 2, 3, tcpRST))
	f.Add([]byte{0x45})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseSegment4(b)
		if err != nil {
			return
		}
		ihl := int(b[0]&0x0f) * 4
		if len(b) < ihl+20 || s.flags != b[ihl+13] || s.sport != binary.BigEndian.Uint16(b[ihl:]) {
			t.Fatalf("accepted %x as %+v", b, s)
		}
		classify(s, binary.BigEndian.Uint32(b[ihl+4:]))
	})
}
