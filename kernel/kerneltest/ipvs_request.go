package kerneltest

import (
	"encoding/binary"
	"net/netip"
	"syscall"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
)

// fakeSvcReq is a SERVICE nest as the kernel parses it: every attribute
// with its presence, before any semantic check.
type fakeSvcReq struct {
	af, proto                   uint16
	addr                        [16]byte
	port                        uint16
	mark                        uint32
	sched, pe                   string
	flags, mask, timeout        uint32
	netmask                     [4]byte
	hasAF, hasAddr, hasProto    bool
	hasPort, hasMark, hasSched  bool
	hasFlags, hasTimeout, hasNM bool
	hasPE                       bool
}

func parseFakeService(b []byte) (fakeSvcReq, error) {
	var r fakeSvcReq
	ad, err := wire.Attrs(b)
	if err != nil {
		return r, syscall.EINVAL
	}
	for ad.Next() {
		switch ad.Type() {
		case wire.SvcAF:
			r.af, r.hasAF = ad.Uint16(), true
		case wire.SvcProtocol:
			r.proto, r.hasProto = ad.Uint16(), true
		case wire.SvcAddr:
			copy(r.addr[:], ad.Bytes())
			r.hasAddr = true
		case wire.SvcPort:
			if p := ad.Bytes(); len(p) == 2 {
				r.port, r.hasPort = binary.BigEndian.Uint16(p), true
			}
		case wire.SvcFWMark:
			r.mark, r.hasMark = ad.Uint32(), true
		case wire.SvcSchedName:
			r.sched, r.hasSched = ad.String(), true
		case wire.SvcPEName:
			r.pe, r.hasPE = ad.String(), true
		case wire.SvcFlags:
			var f [8]byte // a short attribute is zero-filled: mask 0
			copy(f[:], ad.Bytes())
			r.flags, r.mask = binary.NativeEndian.Uint32(f[:]), binary.NativeEndian.Uint32(f[4:])
			r.hasFlags = true
		case wire.SvcTimeout:
			r.timeout, r.hasTimeout = ad.Uint32(), true
		case wire.SvcNetmask:
			copy(r.netmask[:], ad.Bytes())
			r.hasNM = true
		}
	}
	if ad.Err() != nil {
		return r, syscall.EINVAL
	}
	return r, nil
}

// key returns the service identity the kernel would look up.
func (r fakeSvcReq) key() kernel.ServiceKey {
	f := kernel.Family(r.af)
	if r.hasMark && r.mark != 0 {
		return kernel.NewFWMarkKey(f, r.mark)
	}
	a, _ := decodeAddr(f, r.addr[:])
	return kernel.ServiceKey{Family: f, Protocol: kernel.Protocol(r.proto), Addr: a, Port: r.port}
}

// fakeDestReq is a DEST nest as the kernel parses it.
type fakeDestReq struct {
	af                       uint16
	addr                     [16]byte
	port                     uint16
	fwd, weight, uth, lth    uint32
	tunType                  uint8
	tunPort, tunFlags        uint16
	hasAddr, hasPort, hasAF  bool
	hasFwd, hasWeight, hasUT bool
	hasLT                    bool
}

func parseFakeDest(b []byte) (fakeDestReq, error) {
	var r fakeDestReq
	ad, err := wire.Attrs(b)
	if err != nil {
		return r, syscall.EINVAL
	}
	for ad.Next() {
		switch ad.Type() {
		case wire.DestAddr:
			copy(r.addr[:], ad.Bytes())
			r.hasAddr = true
		case wire.DestPort:
			if p := ad.Bytes(); len(p) == 2 {
				r.port, r.hasPort = binary.BigEndian.Uint16(p), true
			}
		case wire.DestAddrFamily:
			r.af, r.hasAF = ad.Uint16(), true
		case wire.DestFwdMethod:
			r.fwd, r.hasFwd = ad.Uint32()&wire.ForwardMask, true
		case wire.DestWeight:
			r.weight, r.hasWeight = ad.Uint32(), true
		case wire.DestUThresh:
			r.uth, r.hasUT = ad.Uint32(), true
		case wire.DestLThresh:
			r.lth, r.hasLT = ad.Uint32(), true
		case wire.DestTunType:
			r.tunType = ad.Uint8()
		case wire.DestTunPort:
			if p := ad.Bytes(); len(p) == 2 {
				r.tunPort = binary.BigEndian.Uint16(p)
			}
		case wire.DestTunFlags:
			r.tunFlags = ad.Uint16()
		}
	}
	if ad.Err() != nil {
		return r, syscall.EINVAL
	}
	return r, nil
}

func (r fakeDestReq) addrIn(f kernel.Family) netip.Addr {
	a, _ := decodeAddr(f, r.addr[:])
	return a
}
