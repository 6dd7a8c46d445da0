package kernel

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
)

// rawService collects a SERVICE nest before the family is known.
type rawService struct {
	af, proto    uint16
	addr, port   []byte
	mark         uint32
	flags        []byte
	mask         []byte
	stats, stat6 []byte
}

// decodeService decodes the contents of an IPVS_CMD_ATTR_SERVICE nest as the
// kernel sends it. The HASHED flag is masked; a full-length netmask decodes
// as the zero Netmask.
func decodeService(b []byte) (Service, error) {
	ad := wire.Iter(b)
	var r rawService
	var svc Service
	for ad.Next() {
		switch ad.Type() {
		case wire.SvcAF:
			r.af = ad.Uint16()
		case wire.SvcProtocol:
			r.proto = ad.Uint16()
		case wire.SvcAddr:
			r.addr = ad.Data()
		case wire.SvcPort:
			r.port = ad.Data()
		case wire.SvcFWMark:
			r.mark = ad.Uint32()
		case wire.SvcSchedName:
			svc.Config.Scheduler = ad.Str(schedulerNames...)
		case wire.SvcPEName:
			svc.Config.PEName = ad.Str("sip")
		case wire.SvcFlags:
			r.flags = ad.Data()
		case wire.SvcTimeout:
			svc.Config.Timeout = ad.Uint32()
		case wire.SvcNetmask:
			r.mask = ad.Data()
		case wire.SvcStats:
			r.stats = ad.Data()
		case wire.SvcStats64:
			r.stat6 = ad.Data()
		}
	}
	if err := wire.AttrError("service attributes", ad.Err()); err != nil {
		return Service{}, err
	}
	return r.finish(svc)
}

func (r rawService) finish(svc Service) (Service, error) {
	f := Family(r.af)
	if f != IPv4 && f != IPv6 {
		return Service{}, fmt.Errorf("%w: service family %d", ErrMalformed, r.af)
	}
	if r.mark != 0 {
		svc.Key = NewFWMarkKey(f, r.mark)
	} else {
		a, err := decodeAddr(f, r.addr)
		if err != nil {
			return Service{}, err
		}
		port, err := decodeBE16(r.port)
		if err != nil {
			return Service{}, err
		}
		svc.Key = ServiceKey{Family: f, Protocol: Protocol(r.proto), Addr: a, Port: port}
	}
	if len(r.flags) < 4 {
		return Service{}, fmt.Errorf("%w: %d-byte service flags", ErrMalformed, len(r.flags))
	}
	svc.Config.Flags = ServiceFlags(binary.NativeEndian.Uint32(r.flags)) &^ flagHashed
	m, err := decodeNetmask(f, r.mask)
	if err != nil {
		return Service{}, err
	}
	svc.Config.Netmask = m
	svc.Stats, err = decodeStatsPair(r.stats, r.stat6)
	return svc, err
}

// decodeNetmask decodes NETMASK per family (IPv4: mask in network order;
// IPv6: prefix length in host order). Absent means full length.
func decodeNetmask(f Family, b []byte) (Netmask, error) {
	if b == nil {
		return Netmask{}, nil
	}
	if len(b) != 4 {
		return Netmask{}, fmt.Errorf("%w: %d-byte netmask", ErrMalformed, len(b))
	}
	if f == IPv6 {
		n := binary.NativeEndian.Uint32(b)
		if n > 128 {
			return Netmask{}, fmt.Errorf("%w: IPv6 netmask /%d", ErrMalformed, n)
		}
		return PrefixNetmask(int(n)).Normalize(f), nil
	}
	m := binary.BigEndian.Uint32(b)
	ones := bits.LeadingZeros32(^m)
	if ipv4Mask(ones) != m {
		return Netmask{}, fmt.Errorf("%w: non-contiguous IPv4 netmask %#08x", ErrMalformed, m)
	}
	return PrefixNetmask(ones).Normalize(f), nil
}

// decodeDestination decodes the contents of an IPVS_CMD_ATTR_DEST nest.
// svcFamily is the family of the service, used when the kernel (before 3.18)
// sends no ADDR_FAMILY.
func decodeDestination(b []byte, svcFamily Family) (Destination, error) {
	ad := wire.Iter(b)
	var d Destination
	var addr, port, stats, stat6 []byte
	var haveFwd bool
	af := uint16(svcFamily)
	for ad.Next() {
		switch ad.Type() {
		case wire.DestAddr:
			addr = ad.Data()
		case wire.DestPort:
			port = ad.Data()
		case wire.DestAddrFamily:
			af = ad.Uint16()
		case wire.DestFwdMethod:
			d.Config.Forward = ForwardMethod(ad.Uint32() & forwardMethodMax)
			haveFwd = true
		case wire.DestWeight:
			d.Config.Weight = ad.Uint32()
		case wire.DestUThresh:
			d.Config.UpperThreshold = ad.Uint32()
		case wire.DestLThresh:
			d.Config.LowerThreshold = ad.Uint32()
		case wire.DestTunType:
			d.Config.TunnelType = TunnelType(ad.Uint8())
		case wire.DestTunPort:
			port16 := ad.Data()
			if len(port16) == 2 {
				d.Config.TunnelPort = binary.BigEndian.Uint16(port16)
			}
		case wire.DestTunFlags:
			d.Config.TunnelFlags = TunnelFlags(ad.Uint16())
		case wire.DestActiveConns:
			d.Conns.Active = ad.Uint32()
		case wire.DestInactConns:
			d.Conns.Inactive = ad.Uint32()
		case wire.DestPersistConns:
			d.Conns.Persistent = ad.Uint32()
		case wire.DestStats:
			stats = ad.Data()
		case wire.DestStats64:
			stat6 = ad.Data()
		}
	}
	if err := wire.AttrError("destination attributes", ad.Err()); err != nil {
		return Destination{}, err
	}
	if !haveFwd {
		return Destination{}, fmt.Errorf("%w: destination without forwarding method", ErrMalformed)
	}
	a, err := decodeAddr(Family(af), addr)
	if err != nil {
		return Destination{}, err
	}
	p, err := decodeBE16(port)
	if err != nil {
		return Destination{}, err
	}
	d.Key = DestinationKey{Family: Family(af), Addr: a, Port: p}
	if d.Config.Forward != ForwardTunnel {
		d.Config.TunnelType, d.Config.TunnelPort, d.Config.TunnelFlags = 0, 0, 0
	}
	d.Stats, err = decodeStatsPair(stats, stat6)
	return d, err
}

// decodeStatsPair prefers STATS64 and falls back to the 32-bit STATS.
func decodeStatsPair(s32, s64 []byte) (Stats, error) {
	if s64 != nil {
		s, err := decodeStats(s64, true)
		s.Is64 = true
		return s, err
	}
	if s32 != nil {
		return decodeStats(s32, false)
	}
	return Stats{}, nil
}

// decodeStats decodes a STATS or STATS64 nest. In the 32-bit flavour only
// the byte counters are u64.
func decodeStats(b []byte, wide bool) (Stats, error) {
	ad := wire.Iter(b)
	var s Stats
	fields := [...]*uint64{wire.StatsConns: &s.Conns, wire.StatsInPkts: &s.InPackets, wire.StatsOutPkts: &s.OutPackets,
		wire.StatsInBytes: &s.InBytes, wire.StatsOutBytes: &s.OutBytes, wire.StatsCPS: &s.CPS, wire.StatsInPPS: &s.InPPS,
		wire.StatsOutPPS: &s.OutPPS, wire.StatsInBPS: &s.InBPS, wire.StatsOutBPS: &s.OutBPS}
	for ad.Next() {
		t := ad.Type()
		if t == 0 || int(t) >= len(fields) {
			continue // PAD and newer counters
		}
		if wide || t == wire.StatsInBytes || t == wire.StatsOutBytes {
			*fields[t] = ad.Uint64()
		} else {
			*fields[t] = uint64(ad.Uint32())
		}
	}
	return s, wire.AttrError("stats attributes", ad.Err())
}
