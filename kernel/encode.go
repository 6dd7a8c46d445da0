package kernel

import (
	"encoding/binary"
	"fmt"

	"github.com/mdlayher/netlink"

	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
)

// encodeServiceKey writes the identity attributes of k into a SERVICE nest.
func encodeServiceKey(ae *netlink.AttributeEncoder, k ServiceKey) {
	ae.Uint16(wire.SvcAF, uint16(k.Family))
	if k.IsFWMark() {
		ae.Uint32(wire.SvcFWMark, k.FWMark)
		return
	}
	ae.Uint16(wire.SvcProtocol, uint16(k.Protocol))
	ae.Bytes(wire.SvcAddr, addrBytes(k.Addr))
	ae.Bytes(wire.SvcPort, be16(k.Port))
}

// appendServiceKeyAttrs appends a SERVICE nest holding k's identity to b:
// the bytes serviceKeyAttrs encodes, without an encoder's allocations (one
// per destination dump of a full read).
func appendServiceKeyAttrs(b []byte, k ServiceKey) []byte {
	start := len(b)
	b = appendAttrHeader(b, wire.AttrService|wire.NlaNested, 0)
	b = appendAttrHeader(b, wire.SvcAF, 2)
	b = binary.NativeEndian.AppendUint16(b, uint16(k.Family))
	b = append(b, 0, 0)
	if k.IsFWMark() {
		b = appendAttrHeader(b, wire.SvcFWMark, 4)
		b = binary.NativeEndian.AppendUint32(b, k.FWMark)
	} else {
		b = appendAttrHeader(b, wire.SvcProtocol, 2)
		b = binary.NativeEndian.AppendUint16(b, uint16(k.Protocol))
		b = append(b, 0, 0)
		if k.Addr.Is4() {
			a := k.Addr.As4()
			b = append(appendAttrHeader(b, wire.SvcAddr, len(a)), a[:]...)
		} else {
			a := k.Addr.As16()
			b = append(appendAttrHeader(b, wire.SvcAddr, len(a)), a[:]...)
		}
		b = appendAttrHeader(b, wire.SvcPort, 2)
		b = binary.BigEndian.AppendUint16(b, k.Port)
		b = append(b, 0, 0)
	}
	binary.NativeEndian.PutUint16(b[start:], uint16(len(b)-start))
	return b
}

// appendAttrHeader appends an attribute header for n bytes of payload.
func appendAttrHeader(b []byte, typ uint16, n int) []byte {
	b = binary.NativeEndian.AppendUint16(b, uint16(wire.NlaHeaderLen+n))
	return binary.NativeEndian.AppendUint16(b, typ)
}

// encodeServiceConfig writes the settable attributes. Flags are sent with a
// full mask (absolute set) and the PE name is always sent, because the kernel
// clears the persistence engine of a service updated without one.
func encodeServiceConfig(ae *netlink.AttributeEncoder, f Family, c ServiceConfig) {
	ae.String(wire.SvcSchedName, c.Scheduler)
	ae.String(wire.SvcPEName, c.PEName)
	flags := make([]byte, 8)
	binary.NativeEndian.PutUint32(flags, uint32(c.Flags&^flagHashed))
	binary.NativeEndian.PutUint32(flags[4:], 0xffffffff)
	ae.Bytes(wire.SvcFlags, flags)
	ae.Uint32(wire.SvcTimeout, c.Timeout)
	ae.Bytes(wire.SvcNetmask, netmaskBytes(f, c.Netmask))
}

// netmaskBytes encodes a netmask per family: IPv4 as the mask in network
// order, IPv6 as a host-order prefix length.
func netmaskBytes(f Family, m Netmask) []byte {
	b := make([]byte, 4)
	if f == IPv6 {
		binary.NativeEndian.PutUint32(b, uint32(m.Bits(f)))
		return b
	}
	binary.BigEndian.PutUint32(b, ipv4Mask(m.Bits(f)))
	return b
}

// encodeDestKey writes the identity attributes of a destination.
func encodeDestKey(ae *netlink.AttributeEncoder, k DestinationKey) {
	ae.Uint16(wire.DestAddrFamily, uint16(k.Family))
	ae.Bytes(wire.DestAddr, addrBytes(k.Addr))
	ae.Bytes(wire.DestPort, be16(k.Port))
}

// encodeDestConfig writes the settable attributes of a destination. The
// weight is sent as the full u32: the kernel, not the client, rejects values
// above MaxWeight with ERANGE.
func encodeDestConfig(ae *netlink.AttributeEncoder, c DestinationConfig) {
	ae.Uint32(wire.DestFwdMethod, uint32(c.Forward))
	ae.Uint32(wire.DestWeight, c.Weight)
	ae.Uint32(wire.DestUThresh, c.UpperThreshold)
	ae.Uint32(wire.DestLThresh, c.LowerThreshold)
	if c.Forward == ForwardTunnel {
		ae.Uint8(wire.DestTunType, uint8(c.TunnelType))
		ae.Bytes(wire.DestTunPort, be16(c.TunnelPort))
		ae.Uint16(wire.DestTunFlags, uint16(c.TunnelFlags))
	}
}

// encodeOp returns the generic netlink payload (genl header + attributes) of
// the request that performs op.
func encodeOp(op Op) ([]byte, error) {
	cmd, err := opCommand(op.Kind)
	if err != nil {
		return nil, err
	}
	ae := netlink.NewAttributeEncoder()
	ae.Nested(wire.AttrService, func(nae *netlink.AttributeEncoder) error {
		encodeServiceKey(nae, op.Service)
		if op.Kind == AddService || op.Kind == UpdateService {
			encodeServiceConfig(nae, op.Service.Family, op.ServiceConfig)
		}
		return nil
	})
	if op.Kind >= AddDestination {
		ae.Nested(wire.AttrDest, func(nae *netlink.AttributeEncoder) error {
			encodeDestKey(nae, op.Destination)
			if op.Kind != DeleteDestination {
				encodeDestConfig(nae, op.DestinationConfig)
			}
			return nil
		})
	}
	b, err := ae.Encode()
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", op, err)
	}
	return wire.GenlPayload(cmd, b), nil
}

func opCommand(k OpKind) (uint8, error) {
	switch k {
	case AddService:
		return wire.CmdNewService, nil
	case UpdateService:
		return wire.CmdSetService, nil
	case DeleteService:
		return wire.CmdDelService, nil
	case AddDestination:
		return wire.CmdNewDest, nil
	case UpdateDestination:
		return wire.CmdSetDest, nil
	case DeleteDestination:
		return wire.CmdDelDest, nil
	}
	return 0, fmt.Errorf("%w: unknown op kind %d", ErrInvalid, k)
}

// validateOp catches what the kernel cannot be trusted to reject: the
// generic netlink path does not validate the protocol, and names longer than
// the kernel's buffers would be truncated silently.
func validateOp(op Op) error {
	k := op.Service
	if k.Family != IPv4 && k.Family != IPv6 {
		return nil // let the kernel answer EAFNOSUPPORT
	}
	if !k.IsFWMark() {
		switch k.Protocol {
		case TCP, UDP, SCTP:
		default:
			return fmt.Errorf("%w: protocol %d", ErrInvalid, k.Protocol)
		}
		if !k.Addr.IsValid() || FamilyOf(k.Addr) != k.Family {
			return fmt.Errorf("%w: service address %v is not %s", ErrInvalid, k.Addr, k.Family)
		}
	}
	if len(op.ServiceConfig.Scheduler) > maxSchedNameLen || len(op.ServiceConfig.PEName) > maxPENameLen {
		return fmt.Errorf("%w: scheduler or persistence engine name too long", ErrInvalid)
	}
	if op.Kind >= AddDestination && (!op.Destination.Addr.IsValid() || FamilyOf(op.Destination.Addr) != op.Destination.Family) {
		return fmt.Errorf("%w: destination address %v is not %s", ErrInvalid, op.Destination.Addr, op.Destination.Family)
	}
	return nil
}
