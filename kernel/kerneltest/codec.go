package kerneltest

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/mdlayher/netlink"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
)

// The fake's own attribute codec: it decodes requests and encodes replies
// without the client's code, so that the two check each other.

// addrBytes returns the 4- or 16-byte form of a; the kernel zero-fills.
func addrBytes(a netip.Addr) []byte {
	if a.Is4() {
		b := a.As4()
		return b[:]
	}
	b := a.As16()
	return b[:]
}

// decodeAddr decodes an nf_inet_addr by family.
func decodeAddr(f kernel.Family, b []byte) (netip.Addr, error) {
	switch f {
	case kernel.IPv4:
		if len(b) < 4 {
			return netip.Addr{}, fmt.Errorf("%w: %d-byte IPv4 address", wire.ErrMalformed, len(b))
		}
		return netip.AddrFrom4([4]byte(b[:4])), nil
	case kernel.IPv6:
		if len(b) < 16 {
			return netip.Addr{}, fmt.Errorf("%w: %d-byte IPv6 address", wire.ErrMalformed, len(b))
		}
		return netip.AddrFrom16([16]byte(b[:16])), nil
	}
	return netip.Addr{}, fmt.Errorf("%w: address of unknown family %d", wire.ErrMalformed, f)
}

func be16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

// parseTimeouts decodes the attributes of a SET_CONFIG request.
func parseTimeouts(b []byte) (kernel.Timeouts, error) {
	ad, err := wire.Attrs(b)
	if err != nil {
		return kernel.Timeouts{}, err
	}
	var t kernel.Timeouts
	for ad.Next() {
		switch ad.Type() {
		case wire.AttrTimeoutTCP:
			t.TCP = ad.Uint32()
		case wire.AttrTimeoutTCPFin:
			t.TCPFin = ad.Uint32()
		case wire.AttrTimeoutUDP:
			t.UDP = ad.Uint32()
		}
	}
	return t, wire.AttrError("timeout attributes", ad.Err())
}

// encodeTimeouts encodes the attributes of a GET_CONFIG reply.
func encodeTimeouts(t kernel.Timeouts) ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	ae.Uint32(wire.AttrTimeoutTCP, t.TCP)
	ae.Uint32(wire.AttrTimeoutTCPFin, t.TCPFin)
	ae.Uint32(wire.AttrTimeoutUDP, t.UDP)
	return ae.Encode()
}

// parseDaemon decodes the contents of a DAEMON nest.
func parseDaemon(b []byte) (kernel.Daemon, error) {
	ad, err := wire.Attrs(b)
	if err != nil {
		return kernel.Daemon{}, err
	}
	var d kernel.Daemon
	for ad.Next() {
		switch ad.Type() {
		case wire.DaemonState:
			d.State = kernel.DaemonState(ad.Uint32())
		case wire.DaemonMcastIfn:
			d.Interface = ad.String()
		case wire.DaemonSyncID:
			d.SyncID = ad.Uint32()
		case wire.DaemonSyncMaxLen:
			d.MaxLen = ad.Uint16()
		case wire.DaemonMcastGroup:
			if b := ad.Bytes(); len(b) == 4 {
				d.Group = netip.AddrFrom4([4]byte(b))
			}
		case wire.DaemonMcastGrp6:
			if b := ad.Bytes(); len(b) == 16 {
				d.Group = netip.AddrFrom16([16]byte(b))
			}
		case wire.DaemonMcastPort:
			d.Port = ad.Uint16()
		case wire.DaemonMcastTTL:
			d.TTL = ad.Uint8()
		}
	}
	return d, wire.AttrError("daemon attributes", ad.Err())
}
