package wire

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// AttrIter walks a netlink attribute list in place, for the read path: it
// allocates nothing, and the data it returns aliases the list, so a caller
// copies what it keeps. Values are in host byte order, as IPVS sends them.
// Iteration stops at the first malformed attribute; Err reports it.
//
//	it := wire.Iter(b)
//	for it.Next() {
//		switch it.Type() { ... it.Uint32() ... }
//	}
//	if err := wire.AttrError("service attributes", it.Err()); err != nil { ... }
type AttrIter struct {
	rest []byte
	typ  uint16
	data []byte
	err  error
}

// Iter returns an iterator over the attribute list b.
func Iter(b []byte) AttrIter { return AttrIter{rest: b} }

// Next advances to the next attribute and reports whether there is one.
func (it *AttrIter) Next() bool {
	if it.err != nil || len(it.rest) == 0 {
		return false
	}
	if len(it.rest) < NlaHeaderLen {
		it.err = fmt.Errorf("%d trailing bytes, shorter than an attribute header", len(it.rest))
		return false
	}
	n := int(binary.NativeEndian.Uint16(it.rest))
	if n < NlaHeaderLen || n > len(it.rest) {
		it.err = fmt.Errorf("attribute length %d, %d bytes left", n, len(it.rest))
		return false
	}
	it.typ = binary.NativeEndian.Uint16(it.rest[2:]) & NlaTypeMask
	it.data = it.rest[NlaHeaderLen:n]
	it.rest = it.rest[min(Align4(n), len(it.rest)):]
	return true
}

// Type is the current attribute's type, without the nested and
// byte-order flags.
func (it *AttrIter) Type() uint16 { return it.typ }

// Data is the current attribute's payload, aliasing the list.
func (it *AttrIter) Data() []byte { return it.data }

// Err is the first decoding error, or nil.
func (it *AttrIter) Err() error { return it.err }

// sized returns the payload when it is n bytes long, and otherwise records
// an error and returns nil.
func (it *AttrIter) sized(n int, what string) []byte {
	if len(it.data) != n {
		if it.err == nil {
			it.err = fmt.Errorf("attribute %d is not a %s; length: %d", it.typ, what, len(it.data))
		}
		return nil
	}
	return it.data
}

// Uint8 decodes the payload as a u8 (0 and an error when it is not one).
func (it *AttrIter) Uint8() uint8 {
	if b := it.sized(1, "uint8"); b != nil {
		return b[0]
	}
	return 0
}

// Uint16 decodes the payload as a u16.
func (it *AttrIter) Uint16() uint16 {
	if b := it.sized(2, "uint16"); b != nil {
		return binary.NativeEndian.Uint16(b)
	}
	return 0
}

// Uint32 decodes the payload as a u32.
func (it *AttrIter) Uint32() uint32 {
	if b := it.sized(4, "uint32"); b != nil {
		return binary.NativeEndian.Uint32(b)
	}
	return 0
}

// Uint64 decodes the payload as a u64.
func (it *AttrIter) Uint64() uint64 {
	if b := it.sized(8, "uint64"); b != nil {
		return binary.NativeEndian.Uint64(b)
	}
	return 0
}

// Str decodes a NUL-terminated string payload. Each name in intern comes
// back as that same string without an allocation (scheduler names repeat in
// every service of a dump).
func (it *AttrIter) Str(intern ...string) string {
	b, _ := bytes.CutSuffix(it.data, []byte{0})
	for _, s := range intern {
		if string(b) == s {
			return s
		}
	}
	return string(b)
}

// Nested returns the payload of the last top-level attribute typ in the
// attribute list b, or nil when absent; it allocates nothing.
func Nested(b []byte, typ uint16) ([]byte, error) {
	it := Iter(b)
	var out []byte
	for it.Next() {
		if it.Type() == typ {
			out = it.Data()
		}
	}
	return out, AttrError("top-level attributes", it.Err())
}
