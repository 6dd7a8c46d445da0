package kerneltest

import (
	"encoding/binary"
	"syscall"

	"github.com/mdlayher/netlink"

	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
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
		for t := uint16(wire.StatsConns); t <= wire.StatsOutBPS; t++ {
			if wide || t == wire.StatsInBytes || t == wire.StatsOutBytes {
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
	nestNoFlag(ae, wire.AttrService, func(nae *netlink.AttributeEncoder) {
		nae.Uint16(wire.SvcAF, uint16(s.key.Family))
		if s.key.IsFWMark() {
			nae.Uint32(wire.SvcFWMark, s.key.FWMark)
		} else {
			nae.Uint16(wire.SvcProtocol, uint16(s.key.Protocol))
			nae.Bytes(wire.SvcAddr, full16(addrBytes(s.key.Addr)))
			nae.Bytes(wire.SvcPort, be16(s.key.Port))
		}
		nae.String(wire.SvcSchedName, s.sched)
		if s.pe != "" {
			nae.String(wire.SvcPEName, s.pe)
		}
		flags := binary.NativeEndian.AppendUint32(nil, s.flags|uint32(wire.FlagHashed))
		nae.Bytes(wire.SvcFlags, binary.NativeEndian.AppendUint32(flags, 0xffffffff))
		nae.Uint32(wire.SvcTimeout, s.timeout)
		nae.Bytes(wire.SvcNetmask, s.netmask[:])
		encodeZeroStats(nae, wire.SvcStats, false)
		encodeZeroStats(nae, wire.SvcStats64, true)
	})
	b, _ := ae.Encode()
	return fakeReply{typ: fakeFamilyID, payload: wire.GenlPayload(wire.CmdNewService, b)}
}

// reply renders d as a NEW_DEST message, in the kernel's attribute order.
func (d *fakeDest) reply() fakeReply {
	ae := netlink.NewAttributeEncoder()
	nestNoFlag(ae, wire.AttrDest, func(nae *netlink.AttributeEncoder) {
		nae.Bytes(wire.DestAddr, full16(addrBytes(d.key.Addr)))
		nae.Bytes(wire.DestPort, be16(d.key.Port))
		nae.Uint32(wire.DestFwdMethod, d.fwd)
		nae.Uint32(wire.DestWeight, d.weight)
		nae.Uint8(wire.DestTunType, d.tunType)
		nae.Bytes(wire.DestTunPort, be16(d.tunPort))
		nae.Uint16(wire.DestTunFlags, d.tunFlags)
		nae.Uint32(wire.DestUThresh, d.uth)
		nae.Uint32(wire.DestLThresh, d.lth)
		nae.Uint32(wire.DestActiveConns, 0)
		nae.Uint32(wire.DestInactConns, 0)
		nae.Uint32(wire.DestPersistConns, 0)
		nae.Uint16(wire.DestAddrFamily, uint16(d.key.Family))
		encodeZeroStats(nae, wire.DestStats, false)
		encodeZeroStats(nae, wire.DestStats64, true)
	})
	b, _ := ae.Encode()
	return fakeReply{typ: fakeFamilyID, payload: wire.GenlPayload(wire.CmdNewDest, b)}
}

func (f *IPVS) dumpServices() []fakeReply {
	out := make([]fakeReply, 0, len(f.services))
	for _, s := range f.services {
		out = append(out, s.reply())
	}
	return out
}

func (f *IPVS) getService(a []byte) ([]fakeReply, syscall.Errno) {
	svcB, _ := wire.Nested(a, wire.AttrService)
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
func (f *IPVS) dumpDests(a []byte) []fakeReply {
	svcB, _ := wire.Nested(a, wire.AttrService)
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

func (f *IPVS) handleCtrl(m wire.Message) ([]fakeReply, syscall.Errno) {
	cmd, a, err := wire.SplitGenl(m.Payload)
	if err != nil || cmd != wire.CtrlCmdGetFamily {
		return nil, syscall.EOPNOTSUPP
	}
	ad, err := wire.Attrs(a)
	if err != nil {
		return nil, syscall.EINVAL
	}
	var name string
	for ad.Next() {
		if ad.Type() == wire.CtrlAttrFamilyName {
			name = ad.String()
		}
	}
	if name != wire.GenlName || f.unloaded {
		return nil, syscall.ENOENT
	}
	ae := netlink.NewAttributeEncoder()
	ae.Uint16(wire.CtrlAttrFamilyID, fakeFamilyID)
	ae.String(wire.CtrlAttrFamilyName, wire.GenlName)
	ae.Uint32(wire.CtrlAttrVersion, wire.GenlVersion)
	ae.Uint32(wire.CtrlAttrHdrSize, 0)
	ae.Uint32(wire.CtrlAttrMaxAttr, wire.AttrTimeoutUDP)
	b, _ := ae.Encode()
	return []fakeReply{{typ: wire.GenlIDCtrl, payload: wire.GenlPayload(wire.CtrlCmdNewFamily, b)}}, 0
}

func (f *IPVS) info() []fakeReply {
	ae := netlink.NewAttributeEncoder()
	ae.Uint32(wire.InfoVersion, 0x010201)
	ae.Uint32(wire.InfoConnTabSize, 4096)
	b, _ := ae.Encode()
	return []fakeReply{{typ: fakeFamilyID, payload: wire.GenlPayload(wire.CmdSetInfo, b)}}
}

func (f *IPVS) config() []fakeReply {
	b, _ := encodeTimeouts(f.timeouts)
	return []fakeReply{{typ: fakeFamilyID, payload: wire.GenlPayload(wire.CmdSetConfig, b)}}
}

// maxTimeout is INT_MAX/HZ for HZ=250, the limit of the kernel's jiffies.
const maxTimeout = (1<<31 - 1) / 250

func (f *IPVS) setConfig(a []byte) syscall.Errno {
	t, err := parseTimeouts(a)
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
