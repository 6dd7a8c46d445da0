package reconcile

import (
	"slices"

	"github.com/seesaw-lb/seesaw/kernel"
)

// serviceConfigEqual compares settings the way the kernel keeps them:
// timeout and netmask matter only for persistent services, and a full-length
// netmask equals the zero one.
func serviceConfigEqual(f kernel.Family, live, want kernel.ServiceConfig) bool {
	if live.Scheduler != want.Scheduler || live.Flags != want.Flags || live.PEName != want.PEName {
		return false
	}
	if want.Flags&kernel.FlagPersistent == 0 {
		return true
	}
	return live.Timeout == want.Timeout && live.Netmask.Bits(f) == want.Netmask.Bits(f)
}

// destinationConfigEqual compares destination settings: tunnel fields only
// for tunnel forwarding (the GUE port only for GUE), and a loopback
// destination, which the kernel marks local whatever was asked, equals any
// forwarding method.
func destinationConfigEqual(k kernel.DestinationKey, live, want kernel.DestinationConfig) bool {
	if live == want {
		return true
	}
	if live.Weight != want.Weight || live.UpperThreshold != want.UpperThreshold || live.LowerThreshold != want.LowerThreshold {
		return false
	}
	if live.Forward != want.Forward && !(live.Forward == kernel.ForwardLocal && k.Addr.IsLoopback()) {
		return false
	}
	if want.Forward != kernel.ForwardTunnel {
		return true
	}
	if live.TunnelType != want.TunnelType || live.TunnelFlags != want.TunnelFlags {
		return false
	}
	return want.TunnelType != kernel.TunnelGUE || live.TunnelPort == want.TunnelPort
}

// sortSteps orders service steps by service key.
func sortSteps(steps []Step) {
	slices.SortFunc(steps, func(a, b Step) int { return kernel.CompareServiceKeys(a.Op.Service, b.Op.Service) })
}
