package kernel

import (
	"encoding/binary"
	"syscall"

	"github.com/mdlayher/netlink"
)

// nestNoFlag encodes a nest the way the kernel does (nla_nest_start_noflag:
// no NLA_F_NESTED bit).
func nestNoFlag(ae *netlink.AttributeEncoder, typ uint16, fn func(*netlink.AttributeEncoder)) {
	nae := netlink.NewAttributeEncoder()
	fn(nae)
	b, _ := nae.Encode()
	ae.Bytes(typ, b)
}

func encodeZeroStats(ae *netlink.AttributeEncoder, typ uint16, wide bool) {
	nestNoFlag(ae, typ, func(nae *netlink.AttributeEncoder) {
		for t := uint16(statsConns); t <= statsOutBPS; t++ {
			if wide || t == statsInBytes || t == statsOutBytes {
				nae.Uint64(t, 0)
			} else {
				nae.Uint32(t, 0)
			}
		}
	})
}

func full16(a []byte) []byte { return append(append([]byte(nil), a...), make([]byte, 16-len(a))...) }

// reply renders s as a NEW_SERVICE message, in the kernel's attribute order.
func (s *fakeService) reply() fakeReply {
	ae := netlink.NewAttributeEncoder()
	nestNoFlag(ae, attrService, func(nae *netlink.AttributeEncoder) {
		nae.Uint16(svcAF, uint16(s.key.Family))
		if s.key.IsFWMark() {
			nae.Uint32(svcFWMark, s.key.FWMark)
		} else {
			nae.Uint16(svcProtocol, uint16(s.key.Protocol))
			nae.Bytes(svcAddr, full16(addrBytes(s.key.Addr)))
			nae.Bytes(svcPort, be16(s.key.Port))
		}
		nae.String(svcSchedName, s.sched)
		if s.pe != "" {
			nae.String(svcPEName, s.pe)
		}
		flags := binary.NativeEndian.AppendUint32(nil, s.flags|uint32(flagHashed))
		nae.Bytes(svcFlags, binary.NativeEndian.AppendUint32(flags, 0xffffffff))
		nae.Uint32(svcTimeout, s.timeout)
		nae.Bytes(svcNetmask, s.netmask[:])
		encodeZeroStats(nae, svcStats, false)
		encodeZeroStats(nae, svcStats64, true)
	})
	b, _ := ae.Encode()
	return fakeReply{typ: fakeFamilyID, payload: genlPayload(cmdNewService, b)}
}

// reply renders d as a NEW_DEST message, in the kernel's attribute order.
func (d *fakeDest) reply() fakeReply {
	ae := netlink.NewAttributeEncoder()
	nestNoFlag(ae, attrDest, func(nae *netlink.AttributeEncoder) {
		nae.Bytes(destAddr, full16(addrBytes(d.key.Addr)))
		nae.Bytes(destPort, be16(d.key.Port))
		nae.Uint32(destFwdMethod, d.fwd)
		nae.Uint32(destWeight, d.weight)
		nae.Uint8(destTunType, d.tunType)
		nae.Bytes(destTunPort, be16(d.tunPort))
		nae.Uint16(destTunFlags, d.tunFlags)
		nae.Uint32(destUThresh, d.uth)
		nae.Uint32(destLThresh, d.lth)
		nae.Uint32(destActiveConns, 0)
		nae.Uint32(destInactConns, 0)
		nae.Uint32(destPersistConns, 0)
		nae.Uint16(destAddrFamily, uint16(d.key.Family))
		encodeZeroStats(nae, destStats, false)
		encodeZeroStats(nae, destStats64, true)
	})
	b, _ := ae.Encode()
	return fakeReply{typ: fakeFamilyID, payload: genlPayload(cmdNewDest, b)}
}

func (f *Fake) dumpServices() []fakeReply {
	out := make([]fakeReply, 0, len(f.services))
	for _, s := range f.services {
		out = append(out, s.reply())
	}
	return out
}

func (f *Fake) getService(a []byte) ([]fakeReply, syscall.Errno) {
	svcB, _ := nested(a, attrService)
	r, err := parseFakeService(svcB)
	if svcB == nil || err != nil || !r.hasAF || !(r.hasMark || (r.hasPort && r.hasProto && r.hasAddr)) {
		return nil, syscall.EINVAL
	}
	if !f.afValid(r.af) {
		return nil, syscall.EAFNOSUPPORT
	}
	_, s := f.find(r.key())
	if s == nil {
		return nil, syscall.ESRCH
	}
	return []fakeReply{s.reply()}, 0
}

// dumpDests answers GET_DEST: an unknown service is an empty dump.
func (f *Fake) dumpDests(a []byte) []fakeReply {
	svcB, _ := nested(a, attrService)
	r, err := parseFakeService(svcB)
	if svcB == nil || err != nil {
		return nil
	}
	_, s := f.find(r.key())
	if s == nil {
		return nil
	}
	out := make([]fakeReply, 0, len(s.dests))
	for _, d := range s.dests {
		out = append(out, d.reply())
	}
	return out
}

func (f *Fake) handleCtrl(m message) ([]fakeReply, syscall.Errno) {
	cmd, a, err := splitGenl(m.Payload)
	if err != nil || cmd != ctrlCmdGetFamily {
		return nil, syscall.EOPNOTSUPP
	}
	ad, err := attrs(a)
	if err != nil {
		return nil, syscall.EINVAL
	}
	var name string
	for ad.Next() {
		if ad.Type() == ctrlAttrFamilyName {
			name = ad.String()
		}
	}
	if name != genlName || f.unloaded {
		return nil, syscall.ENOENT
	}
	ae := netlink.NewAttributeEncoder()
	ae.Uint16(ctrlAttrFamilyID, fakeFamilyID)
	ae.String(ctrlAttrFamilyName, genlName)
	ae.Uint32(ctrlAttrVersion, genlVersion)
	ae.Uint32(ctrlAttrHdrSize, 0)
	ae.Uint32(ctrlAttrMaxAttr, attrTimeoutUDP)
	b, _ := ae.Encode()
	return []fakeReply{{typ: genlIDCtrl, payload: genlPayload(ctrlCmdNewFamily, b)}}, 0
}

func (f *Fake) info() []fakeReply {
	ae := netlink.NewAttributeEncoder()
	ae.Uint32(infoVersion, 0x010201)
	ae.Uint32(infoConnTabSize, 4096)
	b, _ := ae.Encode()
	return []fakeReply{{typ: fakeFamilyID, payload: genlPayload(cmdSetInfo, b)}}
}

func (f *Fake) config() []fakeReply {
	b, _ := encodeTimeouts(f.timeouts)
	return []fakeReply{{typ: fakeFamilyID, payload: genlPayload(cmdSetConfig, b)}}
}

// maxTimeout is INT_MAX/HZ for HZ=250, the limit of the kernel's jiffies.
const maxTimeout = (1<<31 - 1) / 250

func (f *Fake) setConfig(a []byte) syscall.Errno {
	t, err := DecodeTimeouts(a)
	if err != nil {
		return syscall.EINVAL
	}
	if t.TCP > maxTimeout || t.TCPFin > maxTimeout || t.UDP > maxTimeout {
		return syscall.EINVAL
	}
	for _, p := range []struct{ v, dst *uint32 }{{&t.TCP, &f.timeouts.TCP}, {&t.TCPFin, &f.timeouts.TCPFin}, {&t.UDP, &f.timeouts.UDP}} {
		if *p.v != 0 {
			*p.dst = *p.v
		}
	}
	return 0
}
