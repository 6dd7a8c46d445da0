package wire

import (
	"encoding/binary"
	"fmt"

	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/netlink"
)

// Message is one netlink message: header fields and payload (for generic
// netlink: the 4-byte genl header followed by attributes).
type Message struct {
	Type    uint16
	Flags   uint16
	Seq     uint32
	PID     uint32
	Payload []byte
}

// AppendMessage appends m, framed and padded by mdlayher/netlink, to b.
func AppendMessage(b []byte, m Message) []byte {
	nm := netlink.Message{
		Header: netlink.Header{
			Length:   uint32(Align4(NlmsgHeaderLen + len(m.Payload))),
			Type:     netlink.HeaderType(m.Type),
			Flags:    netlink.HeaderFlags(m.Flags),
			Sequence: m.Seq,
			PID:      m.PID,
		},
		Data: m.Payload,
	}
	frame, err := nm.MarshalBinary()
	if err != nil {
		// Unreachable: the length above is always aligned and >= the header.
		panic(fmt.Sprintf("kernel: marshal netlink message: %v", err))
	}
	return append(b, frame...)
}

func Align4(n int) int { return (n + 3) &^ 3 }

// SplitMessages parses a datagram into messages with mdlayher/netlink's
// decoder. Payloads alias b.
func SplitMessages(b []byte) ([]Message, error) {
	var msgs []Message
	for len(b) > 0 {
		if len(b) < NlmsgHeaderLen {
			return msgs, fmt.Errorf("%w: %d trailing bytes, shorter than a header", ErrMalformed, len(b))
		}
		n := int(binary.NativeEndian.Uint32(b))
		if n < NlmsgHeaderLen || n > len(b) {
			return msgs, fmt.Errorf("%w: message length %d, %d bytes left", ErrMalformed, n, len(b))
		}
		var nm netlink.Message
		if err := nm.UnmarshalBinary(b[:min(Align4(n), len(b)&^3)]); err != nil {
			return msgs, fmt.Errorf("%w: message of %d bytes: %v", ErrMalformed, n, err)
		}
		msgs = append(msgs, Message{
			Type:    uint16(nm.Header.Type),
			Flags:   uint16(nm.Header.Flags),
			Seq:     nm.Header.Sequence,
			PID:     nm.Header.PID,
			Payload: nm.Data,
		})
		b = b[min(Align4(n), len(b)):]
	}
	return msgs, nil
}

// NextMessage returns the first message of a datagram and the bytes after
// it, without allocating: the payload aliases b. It checks what
// SplitMessages checks.
func NextMessage(b []byte) (Message, []byte, error) {
	if len(b) < NlmsgHeaderLen {
		return Message{}, nil, fmt.Errorf("%w: %d trailing bytes, shorter than a header", ErrMalformed, len(b))
	}
	n := int(binary.NativeEndian.Uint32(b))
	if n < NlmsgHeaderLen || n > len(b) {
		return Message{}, nil, fmt.Errorf("%w: message length %d, %d bytes left", ErrMalformed, n, len(b))
	}
	m := Message{
		Type:    binary.NativeEndian.Uint16(b[4:]),
		Flags:   binary.NativeEndian.Uint16(b[6:]),
		Seq:     binary.NativeEndian.Uint32(b[8:]),
		PID:     binary.NativeEndian.Uint32(b[12:]),
		Payload: b[NlmsgHeaderLen:n],
	}
	return m, b[min(Align4(n), len(b)):], nil
}

// AppendRequest appends a generic netlink request (netlink header, genl
// header, attributes, padding) to b without intermediate buffers: the
// bytes AppendMessage(b, Message{..., Payload: GenlPayload(cmd, attrs)})
// produces.
func AppendRequest(b []byte, typ, flags uint16, seq uint32, cmd uint8, attrs []byte) []byte {
	n := NlmsgHeaderLen + GenlHeaderLen + len(attrs)
	b = binary.NativeEndian.AppendUint32(b, uint32(Align4(n)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = binary.NativeEndian.AppendUint16(b, flags)
	b = binary.NativeEndian.AppendUint32(b, seq)
	b = binary.NativeEndian.AppendUint32(b, 0)
	b = append(b, cmd, GenlVersion, 0, 0)
	b = append(b, attrs...)
	return append(b, make([]byte, Align4(n)-n)...)
}

// GenlPayload returns the genl header and attribute bytes of a request,
// encoded by mdlayher/genetlink.
func GenlPayload(cmd uint8, attrs []byte) []byte {
	gm := genetlink.Message{Header: genetlink.Header{Command: cmd, Version: GenlVersion}, Data: attrs}
	p, err := gm.MarshalBinary()
	if err != nil {
		// Unreachable: genetlink.Message.MarshalBinary never fails.
		panic(fmt.Sprintf("kernel: marshal generic netlink message: %v", err))
	}
	return p
}

// SplitGenl returns the command and attribute bytes of a genl payload; the
// attributes alias p.
func SplitGenl(p []byte) (cmd uint8, attrs []byte, err error) {
	if len(p) < GenlHeaderLen {
		return 0, nil, fmt.Errorf("%w: %d-byte generic netlink payload", ErrMalformed, len(p))
	}
	return p[0], p[GenlHeaderLen:], nil
}

// ErrorCode returns the errno (positive, 0 = ack) carried by an NLMSG_ERROR
// payload, and the sequence number of the request it answers.
func ErrorCode(p []byte) (errno int, seq uint32, err error) {
	if len(p) < NlmsgerrLen {
		return 0, 0, fmt.Errorf("%w: %d-byte error message", ErrMalformed, len(p))
	}
	code := int32(binary.NativeEndian.Uint32(p))
	return int(-code), binary.NativeEndian.Uint32(p[4+8:]), nil
}

// ErrorPayload builds an NLMSG_ERROR payload answering req (capped: the
// request payload is not echoed).
func ErrorPayload(errno int, req Message) []byte {
	p := binary.NativeEndian.AppendUint32(nil, uint32(int32(-errno)))
	p = binary.NativeEndian.AppendUint32(p, uint32(NlmsgHeaderLen+len(req.Payload)))
	p = binary.NativeEndian.AppendUint16(p, req.Type)
	p = binary.NativeEndian.AppendUint16(p, req.Flags)
	p = binary.NativeEndian.AppendUint32(p, req.Seq)
	return binary.NativeEndian.AppendUint32(p, req.PID)
}
