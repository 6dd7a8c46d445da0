package kernel

import (
	"fmt"
	"net/netip"

	"github.com/mdlayher/netlink"

	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
)

// decodeInfo decodes the attributes of a GET_INFO reply.
func decodeInfo(b []byte) (Info, error) {
	ad, err := wire.Attrs(b)
	if err != nil {
		return Info{}, err
	}
	var i Info
	for ad.Next() {
		switch ad.Type() {
		case wire.InfoVersion:
			i.Version = ad.Uint32()
		case wire.InfoConnTabSize:
			i.ConnTabSize = ad.Uint32()
		}
	}
	return i, wire.AttrError("info attributes", ad.Err())
}

// decodeTimeouts decodes the attributes of a GET_CONFIG reply.
func decodeTimeouts(b []byte) (Timeouts, error) {
	ad, err := wire.Attrs(b)
	if err != nil {
		return Timeouts{}, err
	}
	var t Timeouts
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

func encodeTimeouts(t Timeouts) ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	ae.Uint32(wire.AttrTimeoutTCP, t.TCP)
	ae.Uint32(wire.AttrTimeoutTCPFin, t.TCPFin)
	ae.Uint32(wire.AttrTimeoutUDP, t.UDP)
	return ae.Encode()
}

// encodeDaemon encodes a DAEMON nest; with full false only the state (for
// DEL_DAEMON).
func encodeDaemon(d Daemon, full bool) ([]byte, error) {
	if full && (d.Interface == "" || len(d.Interface) > maxIfNameLen) {
		return nil, fmt.Errorf("%w: sync daemon interface %q", ErrInvalid, d.Interface)
	}
	ae := netlink.NewAttributeEncoder()
	ae.Nested(wire.AttrDaemon, func(nae *netlink.AttributeEncoder) error {
		nae.Uint32(wire.DaemonState, uint32(d.State))
		if !full {
			return nil
		}
		nae.String(wire.DaemonMcastIfn, d.Interface)
		nae.Uint32(wire.DaemonSyncID, d.SyncID)
		if d.MaxLen != 0 {
			nae.Uint16(wire.DaemonSyncMaxLen, d.MaxLen)
		}
		if d.Group.Is4() {
			nae.Bytes(wire.DaemonMcastGroup, addrBytes(d.Group))
		} else if d.Group.Is6() {
			nae.Bytes(wire.DaemonMcastGrp6, addrBytes(d.Group))
		}
		if d.Port != 0 {
			nae.Uint16(wire.DaemonMcastPort, d.Port)
		}
		if d.TTL != 0 {
			nae.Uint8(wire.DaemonMcastTTL, d.TTL)
		}
		return nil
	})
	return ae.Encode()
}

// decodeDaemon decodes the contents of a DAEMON nest.
func decodeDaemon(b []byte) (Daemon, error) {
	ad, err := wire.Attrs(b)
	if err != nil {
		return Daemon{}, err
	}
	var d Daemon
	for ad.Next() {
		switch ad.Type() {
		case wire.DaemonState:
			d.State = DaemonState(ad.Uint32())
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
