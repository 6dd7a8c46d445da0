package daemon

import (
	"slices"
	"strings"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// A round reports every service's watermark position, and an edit changes
// a few of them: when a round lists the same names in the same order as
// the one before (the usual case: services sorted by name, none added or
// removed), the hooks compare it with that list entry by entry, which
// hashes nothing; otherwise they look every service up in the map of
// states. f.services holds, for every name of f.last, that entry's state.

// changedLocked records the states of a round's statuses and returns
// those that differ from the last round that reported the service (one
// seen for the first time counts as having been up). f.mu is held.
func (f *hookFeed) changedLocked(sts []reconcile.ServiceStatus) []reconcile.ServiceStatus {
	var out []reconcile.ServiceStatus
	if f.last != nil && sameNames(f.last, sts, statusName, statusName) {
		for i := range sts {
			if sts[i].Up != f.last[i].Up {
				f.services[sts[i].Name] = sts[i].Up
				out = append(out, sts[i])
			}
		}
		f.last = sts
		return out
	}
	for _, s := range sts {
		was, known := f.services[s.Name]
		if !known {
			was = true
		}
		f.services[s.Name] = s.Up
		if was != s.Up {
			out = append(out, s)
		}
	}
	f.last = sts
	// A round of another config than the one in force may have recorded
	// services it no longer has: the next configure forgets them.
	f.strays = f.strays || !sameNames(sts, f.cfg.Services, statusName, serviceName)
	return out
}

// setConfigLocked records what events need from cfg and forgets the
// services it does not have (only when its names differ from the last
// config's, or a round recorded others). f.mu is held.
func (f *hookFeed) setConfigLocked(cfg desired.Config) {
	prev := f.cfg.Services
	f.node, f.vrrp, f.cfg = cfg.Node.Name, cfg.Node.VRRP != nil, cfg
	if f.strays || !sameNames(prev, cfg.Services, serviceName, serviceName) {
		f.forgetLocked()
	}
}

// forgetLocked drops the states of the services the config in force does
// not have: added back, they start afresh (up). f.mu is held.
func (f *hookFeed) forgetLocked() {
	for name := range f.services {
		if f.serviceLocked(name) == nil {
			delete(f.services, name)
		}
	}
	f.last, f.strays = nil, false
}

// serviceLocked is the configured service named name, or nil. f.mu is held.
func (f *hookFeed) serviceLocked(name string) *desired.Service {
	i, ok := slices.BinarySearchFunc(f.cfg.Services, name, func(s desired.Service, n string) int { return strings.Compare(s.Name, n) })
	if !ok {
		return nil
	}
	return &f.cfg.Services[i]
}

// sameNames reports whether a and b name the same services in the same order.
func sameNames[A, B any](a []A, b []B, na func(*A) string, nb func(*B) string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if na(&a[i]) != nb(&b[i]) {
			return false
		}
	}
	return true
}

func statusName(s *reconcile.ServiceStatus) string { return s.Name }
func serviceName(s *desired.Service) string        { return s.Name }
