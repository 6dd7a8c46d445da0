package kernel

import (
	"encoding/binary"
	"fmt"
)

// message is one netlink message: header fields and payload (for generic
// netlink: the 4-byte genl header followed by attributes).
type message struct {
	Type    uint16
	Flags   uint16
	Seq     uint32
	PID     uint32
	Payload []byte
}

// appendMessage appends m, framed and padded, to b.
func appendMessage(b []byte, m message) []byte {
	n := nlmsgHeaderLen + len(m.Payload)
	b = binary.NativeEndian.AppendUint32(b, uint32(n))
	b = binary.NativeEndian.AppendUint16(b, m.Type)
	b = binary.NativeEndian.AppendUint16(b, m.Flags)
	b = binary.NativeEndian.AppendUint32(b, m.Seq)
	b = binary.NativeEndian.AppendUint32(b, m.PID)
	b = append(b, m.Payload...)
	for pad := align4(n) - n; pad > 0; pad-- {
		b = append(b, 0)
	}
	return b
}

func align4(n int) int { return (n + 3) &^ 3 }

// splitMessages parses a datagram into messages. Payloads alias b.
func splitMessages(b []byte) ([]message, error) {
	var msgs []message
	for len(b) > 0 {
		if len(b) < nlmsgHeaderLen {
			return msgs, fmt.Errorf("%w: %d trailing bytes, shorter than a header", ErrMalformed, len(b))
		}
		n := int(binary.NativeEndian.Uint32(b))
		if n < nlmsgHeaderLen || n > len(b) {
			return msgs, fmt.Errorf("%w: message length %d, %d bytes left", ErrMalformed, n, len(b))
		}
		msgs = append(msgs, message{
			Type:    binary.NativeEndian.Uint16(b[4:]),
			Flags:   binary.NativeEndian.Uint16(b[6:]),
			Seq:     binary.NativeEndian.Uint32(b[8:]),
			PID:     binary.NativeEndian.Uint32(b[12:]),
			Payload: b[nlmsgHeaderLen:n],
		})
		b = b[min(align4(n), len(b)):]
	}
	return msgs, nil
}

// genlPayload returns the genl header and attribute bytes of a request.
func genlPayload(cmd uint8, attrs []byte) []byte {
	p := make([]byte, 0, genlHeaderLen+len(attrs))
	p = append(p, cmd, genlVersion, 0, 0)
	return append(p, attrs...)
}

// splitGenl returns the command and attribute bytes of a genl payload.
func splitGenl(p []byte) (cmd uint8, attrs []byte, err error) {
	if len(p) < genlHeaderLen {
		return 0, nil, fmt.Errorf("%w: %d-byte generic netlink payload", ErrMalformed, len(p))
	}
	return p[0], p[genlHeaderLen:], nil
}

// errorCode returns the errno (positive, 0 = ack) carried by an NLMSG_ERROR
// payload, and the sequence number of the request it answers.
func errorCode(p []byte) (errno int, seq uint32, err error) {
	if len(p) < nlmsgerrLen {
		return 0, 0, fmt.Errorf("%w: %d-byte error message", ErrMalformed, len(p))
	}
	code := int32(binary.NativeEndian.Uint32(p))
	return int(-code), binary.NativeEndian.Uint32(p[4+8:]), nil
}

// errorPayload builds an NLMSG_ERROR payload answering req (capped: the
// request payload is not echoed).
func errorPayload(errno int, req message) []byte {
	p := binary.NativeEndian.AppendUint32(nil, uint32(int32(-errno)))
	p = binary.NativeEndian.AppendUint32(p, uint32(nlmsgHeaderLen+len(req.Payload)))
	p = binary.NativeEndian.AppendUint16(p, req.Type)
	p = binary.NativeEndian.AppendUint16(p, req.Flags)
	p = binary.NativeEndian.AppendUint32(p, req.Seq)
	return binary.NativeEndian.AppendUint32(p, req.PID)
}
