package reconcile

import (
	"slices"

	"github.com/seesaw-lb/seesaw/desired"
)

// policyMemo keeps the address policy of the last config a round used, so
// an edit that moves no address (a weight, a scheduler, a backend) reuses
// it instead of collecting the VIPs and interfaces of every service again.
// The Run goroutine's.
type policyMemo struct {
	cfg desired.Config
	pol AddressPolicy
	ok  bool
}

// of returns addressPolicyOf(cfg): the remembered policy when cfg has the
// same node, floating addresses and, service by service, the same VIP,
// interface and VRRP instance as the config it was made from (one pass
// of comparisons, nothing hashed or allocated); else a new one.
func (m *policyMemo) of(cfg desired.Config) AddressPolicy {
	if m.ok && desired.SameAddressing(m.cfg, cfg) {
		m.cfg = cfg
		return m.pol
	}
	m.cfg, m.pol, m.ok = cfg, addressPolicyOf(cfg), true
	return m.pol
}

// held is heldPolicy with the base policy from m (whose Keep is copied
// before the held VIPs are added to it).
func (m *policyMemo) held(cfg desired.Config, p Plan, master bool) AddressPolicy {
	pol := m.of(cfg)
	if p.Held {
		pol.Keep = slices.Clone(pol.Keep)
	}
	return withHeld(pol, cfg, p, master)
}
