package vrrp

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// The node and its advert sender process talk over a SOCK_SEQPACKET
// socketpair in small binary messages, one per datagram, little-endian:
//
//	0  version (senderProtoVersion)
//	1  type (msg*)
//	2  reserved, zero (2 bytes)
//	4  body, by type:
//	   setup:  priority u8, reserved u8, destinations u8, reserved u8,
//	           zone u32, control length u16, then per destination its
//	           address length u8 (4 or 16) and address, then the control
//	           message (IP_PKTINFO / IPV6_PKTINFO) sent with every advert
//	   advert: flags u8 (advertNow, advertFinal), packets u8, reserved u16,
//	           due i64 (CLOCK_MONOTONIC ns; 0 with advertNow), interval
//	           i64 (ns), then per destination a length u16 and the packet
//	   peers:  destinations u8, reserved u8 (3 bytes), then per
//	           destination its address length u8 (4 or 16) and address:
//	           every advert from now on goes to these; what waits is
//	           dropped and the repetition ends, as with cancel
//	   cancel, stop: no body
//	   ready:  pid u32, tid u32, then two texts (length u16 + bytes): why
//	           SCHED_FIFO and mlockall were refused (empty: granted)
//	   stats:  senderCounters as eleven u64
//	   error:  a text
//
// The decoder never allocates for an advert (the process runs with the
// garbage collector off) and rejects anything out of bounds with one of
// the errSender* values.

const senderProtoVersion = 1

// Message types: node to process, then process to node.
const (
	msgSetup  = 1
	msgAdvert = 2
	msgCancel = 3
	msgStop   = 4
	msgPeers  = 5
	msgReady  = 0x81
	msgStats  = 0x82
	msgError  = 0x83
)

// Advert flags.
const (
	advertNow   = 1 << 0 // leave at once, after every advert handed before
	advertFinal = 1 << 1 // priority 0: drop what waits, end the repetition
)

// maxSenderDsts bounds an advert's destinations (the group, or the
// unicast peers), so that a message stays under 66 KiB.
const maxSenderDsts = 16

// maxAdvertLen is the longest VRRP advert: 255 IPv6 addresses.
const maxAdvertLen = 8 + 255*16

// maxSenderMsg is the longest message either side sends.
const maxSenderMsg = 24 + maxSenderDsts*(2+maxAdvertLen)

// Decode errors; fixed values so that the process reports a bad message
// without allocating.
var (
	errSenderShort    = errors.New("vrrp sender message: truncated")
	errSenderVersion  = errors.New("vrrp sender message: unknown version")
	errSenderType     = errors.New("vrrp sender message: unknown type")
	errSenderReserved = errors.New("vrrp sender message: reserved bits set")
	errSenderBounds   = errors.New("vrrp sender message: a count or length is out of bounds")
	errSenderTrailing = errors.New("vrrp sender message: bytes after the body")
)

// senderCounters are the sender process's counters: adverts sent, sent
// more than lateThreshold after their time and the latest, repeated on
// its own, dropped (handed for a time already covered, no free slot, a
// bad message), leases that ran out, and failed sends; and the same as
// late and maxLate for the lateness not spent waiting on the host's run
// queue (the process's own share, as the timing thread's goLate); and the
// heap objects the process allocated since it started, which stays put
// while it runs (see senderAllocs).
type senderCounters struct {
	sent, late          uint64
	maxLate             int64 // ns
	repeated, dropped   uint64
	expired, sendErrors uint64
	covered             uint64 // of dropped: handed for a time already covered
	ownLate             uint64
	maxOwnLate          int64 // ns
	allocs              uint64
}

// senderMsg is one decoded message; the fields of its type are set.
type senderMsg struct {
	typ byte
	// setup
	prio int
	zone uint32
	dsts []netip.Addr
	oob  []byte
	// advert
	flags         byte
	due, interval int64
	pkts          [][]byte // slices of the decoded buffer
	// ready
	pid, tid        uint32
	rtErr, mlockErr string
	// stats
	counters senderCounters
	// error
	text string
}

// reader walks a message body.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil || n > len(r.b) {
		r.err = errSenderShort
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u8() byte {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) u16() int {
	if b := r.take(2); b != nil {
		return int(binary.LittleEndian.Uint16(b))
	}
	return 0
}

func (r *reader) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if b := r.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (r *reader) text() string { return string(r.take(r.u16())) }

// decodeSenderMsg decodes b into m, reusing m.pkts.
func decodeSenderMsg(m *senderMsg, b []byte) error {
	if len(b) < 4 {
		return errSenderShort
	}
	if b[0] != senderProtoVersion {
		return errSenderVersion
	}
	if b[2] != 0 || b[3] != 0 {
		return errSenderReserved
	}
	m.typ = b[1]
	r := &reader{b: b[4:]}
	var err error
	switch m.typ {
	case msgSetup:
		err = m.decodeSetup(r)
	case msgAdvert:
		err = m.decodeAdvert(r)
	case msgPeers:
		err = m.decodePeers(r)
	case msgCancel, msgStop:
	case msgReady:
		m.pid, m.tid = r.u32(), r.u32()
		m.rtErr, m.mlockErr = r.text(), r.text()
	case msgStats:
		c := &m.counters
		c.sent, c.late, c.maxLate = r.u64(), r.u64(), int64(r.u64())
		c.repeated, c.dropped, c.expired, c.sendErrors, c.covered = r.u64(), r.u64(), r.u64(), r.u64(), r.u64()
		c.ownLate, c.maxOwnLate = r.u64(), int64(r.u64())
		c.allocs = r.u64()
	case msgError:
		m.text = r.text()
	default:
		return errSenderType
	}
	switch {
	case err != nil:
		return err
	case r.err != nil:
		return r.err
	case len(r.b) > 0:
		return errSenderTrailing
	}
	return nil
}

func (m *senderMsg) decodeSetup(r *reader) error {
	m.prio = int(r.u8())
	res1 := r.u8()
	n := int(r.u8())
	res2 := r.u8()
	m.zone = r.u32()
	oobLen := r.u16()
	if res1 != 0 || res2 != 0 {
		return errSenderReserved
	}
	if m.prio > MaxRealtimePriority {
		return errSenderBounds
	}
	if err := m.decodeDsts(r, n); err != nil {
		return err
	}
	m.oob = r.take(oobLen)
	return nil
}

func (m *senderMsg) decodePeers(r *reader) error {
	n := int(r.u8())
	if r.u8() != 0 || r.u16() != 0 {
		return errSenderReserved
	}
	return m.decodeDsts(r, n)
}

// decodeDsts reads n destinations into m.dsts, which allocates only when
// it has less room than maxSenderDsts.
func (m *senderMsg) decodeDsts(r *reader, n int) error {
	if n == 0 || n > maxSenderDsts {
		return errSenderBounds
	}
	m.dsts = m.dsts[:0]
	for range n {
		l := int(r.u8())
		if l != 4 && l != 16 {
			return errSenderBounds
		}
		a, _ := netip.AddrFromSlice(r.take(l))
		m.dsts = append(m.dsts, a)
	}
	return nil
}

func (m *senderMsg) decodeAdvert(r *reader) error {
	m.flags = r.u8()
	n := int(r.u8())
	res := r.u16()
	m.due, m.interval = int64(r.u64()), int64(r.u64())
	if res != 0 {
		return errSenderReserved
	}
	if m.flags&^(advertNow|advertFinal) != 0 || n == 0 || n > maxSenderDsts ||
		m.due < 0 || m.interval < 0 || (m.due == 0) != (m.flags&advertNow != 0) {
		return errSenderBounds
	}
	m.pkts = m.pkts[:0]
	for range n {
		l := r.u16()
		if l < 8 || l > maxAdvertLen {
			return errSenderBounds
		}
		m.pkts = append(m.pkts, r.take(l))
	}
	return nil
}

// appendHeader starts a message of type typ.
func appendHeader(b []byte, typ byte) []byte {
	return append(b, senderProtoVersion, typ, 0, 0)
}

// appendSetup encodes a setup message.
func appendSetup(b []byte, prio int, dsts []netip.Addr, zone uint32, oob []byte) []byte {
	b = appendHeader(b, msgSetup)
	b = append(b, byte(prio), 0, byte(len(dsts)), 0)
	b = binary.LittleEndian.AppendUint32(b, zone)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(oob)))
	return append(appendDsts(b, dsts), oob...)
}

// appendPeers encodes a peers message.
func appendPeers(b []byte, dsts []netip.Addr) []byte {
	b = appendHeader(b, msgPeers)
	return appendDsts(append(b, byte(len(dsts)), 0, 0, 0), dsts)
}

// appendDsts appends each destination's length and address.
func appendDsts(b []byte, dsts []netip.Addr) []byte {
	for _, a := range dsts {
		b = append(b, byte(a.BitLen()/8))
		b = append(b, a.AsSlice()...)
	}
	return b
}

// appendAdvert encodes an advert message carrying pkts.
func appendAdvert(b []byte, flags byte, due, interval int64, pkts [][]byte) []byte {
	b = appendHeader(b, msgAdvert)
	b = append(b, flags, byte(len(pkts)), 0, 0)
	b = binary.LittleEndian.AppendUint64(b, uint64(due))
	b = binary.LittleEndian.AppendUint64(b, uint64(interval))
	for _, p := range pkts {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(p)))
		b = append(b, p...)
	}
	return b
}

// appendText appends a length-prefixed text, cut to fit.
func appendText(b []byte, s string) []byte {
	s = s[:min(len(s), 1024)]
	b = binary.LittleEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// appendReady encodes the process's ready message.
func appendReady(b []byte, pid, tid uint32, rtErr, mlockErr string) []byte {
	b = appendHeader(b, msgReady)
	b = binary.LittleEndian.AppendUint32(b, pid)
	b = binary.LittleEndian.AppendUint32(b, tid)
	return appendText(appendText(b, rtErr), mlockErr)
}

// appendStats encodes the process's counters.
func appendStats(b []byte, c *senderCounters) []byte {
	b = appendHeader(b, msgStats)
	for _, v := range [...]uint64{c.sent, c.late, uint64(c.maxLate), c.repeated, c.dropped, c.expired, c.sendErrors, c.covered,
		c.ownLate, uint64(c.maxOwnLate), c.allocs} {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

// appendError encodes an error report.
func appendError(b []byte, text string) []byte {
	return appendText(appendHeader(b, msgError), text)
}

// appendErrorText is appendError for a text in bytes.
func appendErrorText(b []byte, text []byte) []byte {
	text = text[:min(len(text), 1024)]
	b = binary.LittleEndian.AppendUint16(appendHeader(b, msgError), uint16(len(text)))
	return append(b, text...)
}
