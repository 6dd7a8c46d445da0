package reconcile

import (
	"context"
	"errors"
	"net/netip"
	"slices"
)

// A release removes the VIPs on the way out of mastership, before the
// priority-0 or handoff advert: until they are gone the peer may not take
// them, so the time they take is time no node serves them. Release
// deletes them from the addresses as last seen (the last listing of each
// interface, with this node's adds and deletes since) instead of listing
// the interfaces again; the round that follows the release runs Sync,
// which lists them and removes what else must go.

// releaseVIPManager is a VIPManager with a fast path for a release
// (VIPs.Release).
type releaseVIPManager interface {
	Release(ctx context.Context, target []Address, policy AddressPolicy) ([]Address, error)
}

// releaseVIPs makes the owned addresses equal target on a release:
// through the fast path where the VIPManager has one, else Sync.
func (l *Loop) releaseVIPs(ctx context.Context, target []Address, pol AddressPolicy) ([]Address, error) {
	if r, ok := l.o.VIPs.(releaseVIPManager); ok {
		return r.Release(ctx, target, pol)
	}
	return l.o.VIPs.Sync(ctx, target, pol)
}

// Release implements the loop's release fast path: it deletes the owned
// addresses that target no longer has, as Sync would, and adds nothing.
// It lists only the interfaces it has not listed before; an address that
// appeared on a listed interface since, added by someone else, stays until
// the next Sync. It returns the addresses of target it holds.
func (v *VIPs) Release(ctx context.Context, target []Address, pol AddressPolicy) ([]Address, error) {
	var errs []error
	live := map[string][]netip.Prefix{}
	for _, ifname := range interfacesOf(target, pol) {
		ps, ok := v.seen[ifname]
		if !ok {
			var err error
			if ps, err = v.list(ctx, ifname); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		live[ifname] = slices.Clone(ps)
	}
	_, del := planAddresses(live, target, pol, v.added)
	held := heldIn(live, target)
	wait, rerrs := v.remove(ctx, del)
	defer wait()
	errs = append(errs, rerrs...)
	return heldOf(target, held), errors.Join(errs...)
}

// list lists ifname's addresses and keeps them as seen.
func (v *VIPs) list(ctx context.Context, ifname string) ([]netip.Prefix, error) {
	ps, err := v.addrs.List(ctx, ifname)
	if err != nil {
		delete(v.seen, ifname)
		return nil, err
	}
	v.seen[ifname] = slices.Clone(ps)
	return ps, nil
}

// saw records that a is on its interface (on) or not, on an interface
// listed before.
func (v *VIPs) saw(a Address, on bool) {
	ps, ok := v.seen[a.Interface]
	if !ok {
		return
	}
	ps = slices.DeleteFunc(ps, func(p netip.Prefix) bool { return p == a.Prefix })
	if on {
		ps = append(ps, a.Prefix)
	}
	v.seen[a.Interface] = ps
}

// remove deletes del and returns the errors, and a function that waits
// for the announcements of del that were under way: every schedule of
// del ends first, so that no address this node gives up is announced
// again, while the deletions go ahead.
func (v *VIPs) remove(ctx context.Context, del []Address) (wait func(), errs []error) {
	stopped := make([]*schedule, 0, len(del))
	for _, a := range del {
		stopped = append(stopped, v.announce.stop(a))
	}
	for i, err := range v.deleteAll(ctx, del) {
		a := del[i]
		if err != nil {
			errs = append(errs, err)
			continue
		}
		delete(v.added, a)
		v.saw(a, false)
		v.log.Info("removed VIP", "interface", a.Interface, "address", a.Prefix.Addr().String())
	}
	return func() {
		for _, s := range stopped {
			s.wait()
		}
	}, errs
}
