package reconcile

import (
	"fmt"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// guard holds the plan back (Held, with a reason) when it deletes more than
// maxShare of the owned live services, unless allow is set. A held plan must
// not be applied. Deleting every owned service when there is only one is
// still held: one is 100% of one.
func guard(p Plan, g desired.MassDeleteGuard, allow bool) Plan {
	if allow || g.Allow || p.Owned == 0 {
		return p
	}
	deleted := p.Count()[kernel.DeleteService]
	share := float64(deleted) / float64(p.Owned)
	if deleted > 0 && share > g.MaxShare {
		p.Held = true
		p.HeldReason = fmt.Sprintf("mass-delete guard: plan deletes %d of %d owned services (%.0f%%, limit %.0f%%); "+
			"allow it with node.mass_delete.allow or --allow-mass-delete", deleted, p.Owned, share*100, g.MaxShare*100)
	}
	return p
}
