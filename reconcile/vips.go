package reconcile

import "context"

// VIPManager makes the node hold exactly the target VIP addresses among the
// addresses it owns, announcing new ones. It returns the addresses held.
type VIPManager interface {
	Sync(ctx context.Context, target []Address, scope Scope) ([]Address, error)
}
