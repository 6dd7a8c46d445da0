package kernel

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/mdlayher/netlink"
)

// attrs returns a decoder over b, wrapping its error as ErrMalformed.
func attrs(b []byte) (*netlink.AttributeDecoder, error) {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return ad, nil
}

func adErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
}

// nested returns the bytes of top-level attribute typ in a genl payload's
// attributes, or nil when absent.
func nested(b []byte, typ uint16) ([]byte, error) {
	ad, err := attrs(b)
	if err != nil {
		return nil, err
	}
	var out []byte
	for ad.Next() {
		if ad.Type() == typ {
			out = ad.Bytes()
		}
	}
	return out, adErr("top-level attributes", ad.Err())
}

// rawService collects a SERVICE nest before the family is known.
type rawService struct {
	af, proto    uint16
	addr, port   []byte
	mark         uint32
	flags        []byte
	mask         []byte
	stats, stat6 []byte
}

// DecodeService decodes the contents of an IPVS_CMD_ATTR_SERVICE nest as the
// kernel sends it. The HASHED flag is masked; a full-length netmask decodes
// as the zero Netmask.
func DecodeService(b []byte) (Service, error) {
	ad, err := attrs(b)
	if err != nil {
		return Service{}, err
	}
	var r rawService
	var svc Service
	for ad.Next() {
		switch ad.Type() {
		case svcAF:
			r.af = ad.Uint16()
		case svcProtocol:
			r.proto = ad.Uint16()
		case svcAddr:
			r.addr = ad.Bytes()
		case svcPort:
			r.port = ad.Bytes()
		case svcFWMark:
			r.mark = ad.Uint32()
		case svcSchedName:
			svc.Config.Scheduler = ad.String()
		case svcPEName:
			svc.Config.PEName = ad.String()
		case svcFlags:
			r.flags = ad.Bytes()
		case svcTimeout:
			svc.Config.Timeout = ad.Uint32()
		case svcNetmask:
			r.mask = ad.Bytes()
		case svcStats:
			r.stats = ad.Bytes()
		case svcStats64:
			r.stat6 = ad.Bytes()
		}
	}
	if err := adErr("service attributes", ad.Err()); err != nil {
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

// DecodeDestination decodes the contents of an IPVS_CMD_ATTR_DEST nest.
// svcFamily is the family of the service, used when the kernel (before 3.18)
// sends no ADDR_FAMILY.
func DecodeDestination(b []byte, svcFamily Family) (Destination, error) {
	ad, err := attrs(b)
	if err != nil {
		return Destination{}, err
	}
	var d Destination
	var addr, port, stats, stat6 []byte
	var haveFwd bool
	af := uint16(svcFamily)
	for ad.Next() {
		switch ad.Type() {
		case destAddr:
			addr = ad.Bytes()
		case destPort:
			port = ad.Bytes()
		case destAddrFamily:
			af = ad.Uint16()
		case destFwdMethod:
			d.Config.Forward = ForwardMethod(ad.Uint32() & forwardMethodMax)
			haveFwd = true
		case destWeight:
			d.Config.Weight = ad.Uint32()
		case destUThresh:
			d.Config.UpperThreshold = ad.Uint32()
		case destLThresh:
			d.Config.LowerThreshold = ad.Uint32()
		case destTunType:
			d.Config.TunnelType = TunnelType(ad.Uint8())
		case destTunPort:
			port16 := ad.Bytes()
			if len(port16) == 2 {
				d.Config.TunnelPort = binary.BigEndian.Uint16(port16)
			}
		case destTunFlags:
			d.Config.TunnelFlags = TunnelFlags(ad.Uint16())
		case destActiveConns:
			d.Conns.Active = ad.Uint32()
		case destInactConns:
			d.Conns.Inactive = ad.Uint32()
		case destPersistConns:
			d.Conns.Persistent = ad.Uint32()
		case destStats:
			stats = ad.Bytes()
		case destStats64:
			stat6 = ad.Bytes()
		}
	}
	if err := adErr("destination attributes", ad.Err()); err != nil {
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
	ad, err := attrs(b)
	if err != nil {
		return Stats{}, err
	}
	var s Stats
	fields := [...]*uint64{statsConns: &s.Conns, statsInPkts: &s.InPackets, statsOutPkts: &s.OutPackets,
		statsInBytes: &s.InBytes, statsOutBytes: &s.OutBytes, statsCPS: &s.CPS, statsInPPS: &s.InPPS,
		statsOutPPS: &s.OutPPS, statsInBPS: &s.InBPS, statsOutBPS: &s.OutBPS}
	for ad.Next() {
		t := ad.Type()
		if t == 0 || int(t) >= len(fields) {
			continue // PAD and newer counters
		}
		if wide || t == statsInBytes || t == statsOutBytes {
			*fields[t] = ad.Uint64()
		} else {
			*fields[t] = uint64(ad.Uint32())
		}
	}
	return s, adErr("stats attributes", ad.Err())
}
