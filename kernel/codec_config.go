package kernel

import (
	"fmt"
	"net/netip"

	"github.com/mdlayher/netlink"
)

// DecodeInfo decodes the attributes of a GET_INFO reply.
func DecodeInfo(b []byte) (Info, error) {
	ad, err := attrs(b)
	if err != nil {
		return Info{}, err
	}
	var i Info
	for ad.Next() {
		switch ad.Type() {
		case infoVersion:
			i.Version = ad.Uint32()
		case infoConnTabSize:
			i.ConnTabSize = ad.Uint32()
		}
	}
	return i, adErr("info attributes", ad.Err())
}

// DecodeTimeouts decodes the attributes of a GET_CONFIG reply.
func DecodeTimeouts(b []byte) (Timeouts, error) {
	ad, err := attrs(b)
	if err != nil {
		return Timeouts{}, err
	}
	var t Timeouts
	for ad.Next() {
		switch ad.Type() {
		case attrTimeoutTCP:
			t.TCP = ad.Uint32()
		case attrTimeoutTCPFin:
			t.TCPFin = ad.Uint32()
		case attrTimeoutUDP:
			t.UDP = ad.Uint32()
		}
	}
	return t, adErr("timeout attributes", ad.Err())
}

func encodeTimeouts(t Timeouts) ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	ae.Uint32(attrTimeoutTCP, t.TCP)
	ae.Uint32(attrTimeoutTCPFin, t.TCPFin)
	ae.Uint32(attrTimeoutUDP, t.UDP)
	return ae.Encode()
}

// encodeDaemon encodes a DAEMON nest; with full false only the state (for
// DEL_DAEMON).
func encodeDaemon(d Daemon, full bool) ([]byte, error) {
	if full && (d.Interface == "" || len(d.Interface) > maxIfNameLen) {
		return nil, fmt.Errorf("%w: sync daemon interface %q", ErrInvalid, d.Interface)
	}
	ae := netlink.NewAttributeEncoder()
	ae.Nested(attrDaemon, func(nae *netlink.AttributeEncoder) error {
		nae.Uint32(daemonState, uint32(d.State))
		if !full {
			return nil
		}
		nae.String(daemonMcastIfn, d.Interface)
		nae.Uint32(daemonSyncID, d.SyncID)
		if d.MaxLen != 0 {
			nae.Uint16(daemonSyncMaxLen, d.MaxLen)
		}
		if d.Group.Is4() {
			nae.Bytes(daemonMcastGroup, addrBytes(d.Group))
		} else if d.Group.Is6() {
			nae.Bytes(daemonMcastGrp6, addrBytes(d.Group))
		}
		if d.Port != 0 {
			nae.Uint16(daemonMcastPort, d.Port)
		}
		if d.TTL != 0 {
			nae.Uint8(daemonMcastTTL, d.TTL)
		}
		return nil
	})
	return ae.Encode()
}

// DecodeDaemon decodes the contents of a DAEMON nest.
func DecodeDaemon(b []byte) (Daemon, error) {
	ad, err := attrs(b)
	if err != nil {
		return Daemon{}, err
	}
	var d Daemon
	for ad.Next() {
		switch ad.Type() {
		case daemonState:
			d.State = DaemonState(ad.Uint32())
		case daemonMcastIfn:
			d.Interface = ad.String()
		case daemonSyncID:
			d.SyncID = ad.Uint32()
		case daemonSyncMaxLen:
			d.MaxLen = ad.Uint16()
		case daemonMcastGroup:
			if b := ad.Bytes(); len(b) == 4 {
				d.Group = netip.AddrFrom4([4]byte(b))
			}
		case daemonMcastGrp6:
			if b := ad.Bytes(); len(b) == 16 {
				d.Group = netip.AddrFrom16([16]byte(b))
			}
		case daemonMcastPort:
			d.Port = ad.Uint16()
		case daemonMcastTTL:
			d.TTL = ad.Uint8()
		}
	}
	return d, adErr("daemon attributes", ad.Err())
}
