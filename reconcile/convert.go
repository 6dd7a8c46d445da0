package reconcile

import (
	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// serviceConfig maps a configured service to its IPVS settings. Without
// persistence, timeout and netmask are left zero (the kernel ignores them).
func serviceConfig(s *desired.Service, f kernel.Family) kernel.ServiceConfig {
	c := kernel.ServiceConfig{Scheduler: s.Scheduler}
	if s.Persistence != nil {
		c.Flags |= kernel.FlagPersistent
		c.Timeout = uint32(s.Persistence.Timeout.Seconds())
		if s.Persistence.PrefixLen != 0 {
			c.Netmask = kernel.PrefixNetmask(s.Persistence.PrefixLen).Normalize(f)
		}
		c.PEName = s.Persistence.Engine
	}
	if s.OnePacket {
		c.Flags |= kernel.FlagOnePacket
	}
	if s.SchedulerFlags.Fallback {
		c.Flags |= kernel.FlagSchedFallback
	}
	if s.SchedulerFlags.Port {
		c.Flags |= kernel.FlagSchedPort
	}
	return c
}

// destinationConfig maps a backend to its IPVS settings at full weight.
func destinationConfig(s *desired.Service, b *desired.Backend) kernel.DestinationConfig {
	fwd := b.Forward
	if fwd == "" {
		fwd = s.Forward
	}
	c := kernel.DestinationConfig{
		Weight:         uint32(max(b.Weight, 0)),
		UpperThreshold: b.UpperThreshold,
		LowerThreshold: b.LowerThreshold,
	}
	switch fwd {
	case desired.ForwardDR:
		c.Forward = kernel.ForwardDirect
	case desired.ForwardTunnel:
		c.Forward = kernel.ForwardTunnel
		c.TunnelType, c.TunnelPort, c.TunnelFlags = tunnel(s.Tunnel)
	default:
		c.Forward = kernel.ForwardNAT
	}
	return c
}

func tunnel(t desired.Tunnel) (kernel.TunnelType, uint16, kernel.TunnelFlags) {
	var flags kernel.TunnelFlags
	switch t.Checksum {
	case desired.ChecksumCsum:
		flags = kernel.TunnelCsum
	case desired.ChecksumRemote:
		flags = kernel.TunnelRemCsum
	}
	switch t.Type {
	case desired.TunnelGUE:
		return kernel.TunnelGUE, t.Port, flags
	case desired.TunnelGRE:
		return kernel.TunnelGRE, 0, flags
	}
	return kernel.TunnelIPIP, 0, 0
}
