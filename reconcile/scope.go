package reconcile

import (
	"net/netip"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// tableScope is the part of the IPVS table the reconciler owns. The zero
// tableScope owns everything.
type tableScope struct {
	Prefixes []netip.Prefix
	Fwmarks  []desired.FwmarkRange
	// Checks is the check fwmark range: it only labels live services in it
	// as check services (ownership comes from Fwmarks).
	Checks desired.FwmarkRange
}

// scopeOf returns the scope a config owns: node.scope plus the check fwmark
// range. An empty node.scope owns the whole table (the check range then adds
// nothing).
func scopeOf(cfg desired.Config) tableScope {
	sc := cfg.Node.Scope
	if len(sc.Prefixes) == 0 && len(sc.Fwmarks) == 0 {
		return tableScope{Checks: cfg.Node.CheckFwmarks}
	}
	s := tableScope{Prefixes: sc.Prefixes, Fwmarks: sc.Fwmarks, Checks: cfg.Node.CheckFwmarks}
	if !cfg.Node.CheckFwmarks.IsZero() {
		s.Fwmarks = append(append([]desired.FwmarkRange(nil), sc.Fwmarks...), cfg.Node.CheckFwmarks)
	}
	return s
}

// All reports whether the scope owns the whole table.
func (s tableScope) All() bool { return len(s.Prefixes) == 0 && len(s.Fwmarks) == 0 }

// Owns reports whether the service with key k is inside the scope.
func (s tableScope) Owns(k kernel.ServiceKey) bool {
	if s.All() {
		return true
	}
	if k.IsFWMark() {
		for _, r := range s.Fwmarks {
			if r.Contains(k.FWMark) {
				return true
			}
		}
		return false
	}
	for _, p := range s.Prefixes {
		if p.Contains(k.Addr) {
			return true
		}
	}
	return false
}
