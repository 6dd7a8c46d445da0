package reconcile

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// guard holds back the service deletions of a plan that deletes more than
// g.MaxShare of the owned live services and more than g.MinCount of them,
// unless allow is set. The deletions move to HeldSteps (Held, with a
// reason); every other step stays in Steps and may still be applied:
// additions, and the health, drain and weight changes of the services that
// stay. A service whose deletion is held stays as it is in the kernel (a
// plan never touches the destinations of a service it deletes), and its VIP
// stays too (HeldVIPs). Deleting the only owned service is 100% of one, so
// MinCount is what lets a fresh node remove a few strays.
func guard(p Plan, g desired.MassDeleteGuard, allow bool) Plan {
	if allow || g.Allow || p.Owned == 0 {
		return p
	}
	deleted := p.Count()[kernel.DeleteService]
	share := float64(deleted) / float64(p.Owned)
	if deleted <= g.MinCount || share <= g.MaxShare {
		return p
	}
	p.Held = true
	p.HeldReason = fmt.Sprintf("mass-delete guard: plan deletes %d of %d owned services (%.0f%%, limit %.0f%%), more than the %d always allowed; "+
		"the deletions are held back and those services keep their VIPs; allow them with node.mass_delete.allow or --allow-mass-delete",
		deleted, p.Owned, share*100, g.MaxShare*100, g.MinCount)
	steps := make([]Step, 0, len(p.Steps)-deleted)
	p.HeldSteps = make([]Step, 0, deleted)
	for _, s := range p.Steps {
		if s.Op.Kind == kernel.DeleteService {
			p.HeldSteps = append(p.HeldSteps, s)
			continue
		}
		steps = append(steps, s)
	}
	p.Steps = steps
	if len(steps) == 0 {
		p.Steps = nil
	}
	return p
}

// HeldVIPs returns the addresses of the services whose deletion the guard
// held back, sorted and unique. A master keeps them on its interfaces
// though the config no longer names them, so the held services stay
// reachable. Fwmark services carry no address: their VIPs are not known.
func (p Plan) HeldVIPs() []netip.Addr {
	var out []netip.Addr
	for _, s := range p.HeldSteps {
		if k := s.Op.Service; !k.IsFWMark() && k.Addr.IsValid() {
			out = append(out, k.Addr)
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}
