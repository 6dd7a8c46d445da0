package checks

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"golang.org/x/net/bpf"
)

// The wire side of half-open checks (halfopen_linux.go): the SYN a probe
// sends and the reply it waits for. Pure functions of bytes, so they are
// tested and fuzzed without sockets.

// TCP header flags.
const (
	tcpFIN = 0x01
	tcpSYN = 0x02
	tcpRST = 0x04
	tcpACK = 0x10
)

// synLen is the length of the SYN a probe sends: a 20-byte TCP header and
// one MSS option, as any stack's SYN carries (some firewalls drop SYNs
// without options).
const synLen = 24

// synMSS is the MSS the SYN announces; nothing is ever sent on the
// half-open connection, so it only has to look ordinary.
const synMSS = 1460

// buildSYN writes into b (synLen bytes) a SYN from sport to dport with
// sequence number seq. For IPv4, src and dst give the checksum's
// pseudo-header; for IPv6 the checksum field is left zero, for the kernel
// to fill in (IPV6_CHECKSUM).
func buildSYN(b []byte, src, dst netip.Addr, sport, dport uint16, seq uint32) {
	_ = b[synLen-1]
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint32(b[4:], seq)
	binary.BigEndian.PutUint32(b[8:], 0)
	b[12] = (synLen / 4) << 4 // data offset in 32-bit words
	b[13] = tcpSYN
	binary.BigEndian.PutUint16(b[14:], 65535) // window
	binary.BigEndian.PutUint16(b[16:], 0)     // checksum
	binary.BigEndian.PutUint16(b[18:], 0)     // urgent pointer
	b[20], b[21] = 2, 4                       // MSS option, length 4
	binary.BigEndian.PutUint16(b[22:], synMSS)
	if dst.Is4() {
		binary.BigEndian.PutUint16(b[16:], tcpChecksum4(b[:synLen], src.As4(), dst.As4()))
	}
}

// tcpChecksum4 is the TCP checksum of seg (with a zero checksum field)
// between IPv4 addresses src and dst (RFC 793, 1071).
func tcpChecksum4(seg []byte, src, dst [4]byte) uint16 {
	sum := uint32(binary.BigEndian.Uint16(src[0:])) + uint32(binary.BigEndian.Uint16(src[2:])) +
		uint32(binary.BigEndian.Uint16(dst[0:])) + uint32(binary.BigEndian.Uint16(dst[2:])) +
		6 + uint32(len(seg)) // protocol TCP, TCP length
	for i := 0; i+1 < len(seg); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(seg[i:]))
	}
	if len(seg)%2 == 1 {
		sum += uint32(seg[len(seg)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}

// segment is what a probe needs from a received TCP segment.
type segment struct {
	from         netip.Addr // the segment's source: the probed target
	sport, dport uint16     // the target's port, the probe's port
	ack          uint32
	flags        uint8
}

// errShortSegment is a datagram too short for the headers it claims.
var errShortSegment = errors.New("truncated TCP segment")

// errNotTCP is an IPv4 datagram of another protocol.
var errNotTCP = errors.New("not a TCP segment")

// parseSegment4 reads an IPv4 datagram as a raw IPv4 socket returns it
// (IP header included).
func parseSegment4(b []byte) (segment, error) {
	if len(b) < 20 || b[0]>>4 != 4 {
		return segment{}, errShortSegment
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < 20 || len(b) < ihl+20 {
		return segment{}, errShortSegment
	}
	if b[9] != 6 {
		return segment{}, errNotTCP
	}
	s, err := parseTCP(b[ihl:])
	s.from = netip.AddrFrom4([4]byte(b[12:16]))
	return s, err
}

// parseTCP reads the ports, acknowledgment number and flags of a TCP
// segment (a raw IPv6 socket returns the segment without the IP header).
func parseTCP(b []byte) (segment, error) {
	if len(b) < 20 {
		return segment{}, errShortSegment
	}
	return segment{
		sport: binary.BigEndian.Uint16(b[0:]),
		dport: binary.BigEndian.Uint16(b[2:]),
		ack:   binary.BigEndian.Uint32(b[8:]),
		flags: b[13],
	}, nil
}

// reply is what a segment says about the probe it answers.
type reply uint8

const (
	replyNone    reply = iota // not an answer to a SYN: ignore it
	replyOpen                 // SYN-ACK: something listens
	replyRefused              // RST: nothing listens
)

// classify tells a SYN-ACK from a RST that acknowledges seq (the probe's
// SYN); anything else, including one acknowledging another sequence number
// (a late answer to an earlier probe), answers nothing.
func classify(s segment, seq uint32) reply {
	if s.flags&tcpACK == 0 || s.ack != seq+1 {
		return replyNone
	}
	switch {
	case s.flags&tcpRST != 0:
		return replyRefused
	case s.flags&tcpSYN != 0 && s.flags&tcpFIN == 0:
		return replyOpen
	}
	return replyNone
}

// replyFilter is the socket filter of a probe socket: it keeps TCP
// segments to one of ports with SYN or RST set and drops the rest of the
// host's TCP traffic in the kernel. ipHeader says the socket returns the
// IPv4 header in front of the segment (raw IPv6 sockets do not).
func replyFilter(ports []uint16, ipHeader bool) ([]bpf.RawInstruction, error) {
	if len(ports) == 0 || len(ports) > 200 {
		return nil, errors.New("probe socket filter: 1 to 200 ports")
	}
	var prog []bpf.Instruction
	if ipHeader {
		// X = IPv4 header length; segment fields are read at X+offset.
		prog = append(prog, bpf.LoadMemShift{Off: 0})
	} else {
		prog = append(prog, bpf.LoadConstant{Dst: bpf.RegX, Val: 0})
	}
	n := uint8(len(ports))
	prog = append(prog,
		bpf.LoadIndirect{Off: 13, Size: 1},                                        // flags
		bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: tcpSYN | tcpRST, SkipFalse: n + 1}, // to the first return 0
		bpf.LoadIndirect{Off: 2, Size: 2},                                         // destination port
	)
	for i, p := range ports {
		// A match skips to the accept below the last port test.
		prog = append(prog, bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(p), SkipTrue: n - uint8(i)})
	}
	prog = append(prog,
		bpf.RetConstant{Val: 0},
		bpf.RetConstant{Val: 0xffff},
	)
	return bpf.Assemble(prog)
}
