package reconcile

import (
	"cmp"
	"context"
	"errors"
	"net/netip"
	"slices"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel/checkpath"
)

// checkRoutesOf returns the host routes dsr/tunnel checks need: one per VIP
// of a service with such a check, on the service's interface (or the
// node's first), sorted. None remain when no such check does, so syncing
// to the result undoes the setup. See docs/checks-through-ipvs.md.
func checkRoutesOf(cfg desired.Config) []checkpath.Route {
	var out []checkpath.Route
	for i := range cfg.Services {
		s := &cfg.Services[i]
		if !s.VIP.IsValid() || !hasPathCheck(s) {
			continue
		}
		ifname := s.Interface
		if ifname == "" && len(cfg.Node.Interfaces) > 0 {
			ifname = cfg.Node.Interfaces[0]
		}
		vip := s.VIP.Unmap()
		out = append(out, checkpath.Route{Dst: netip.PrefixFrom(vip, vip.BitLen()), Interface: ifname})
	}
	slices.SortFunc(out, compareCheckRoutes)
	return slices.Compact(out)
}

func compareCheckRoutes(a, b checkpath.Route) int {
	return cmp.Or(a.Dst.Addr().Compare(b.Dst.Addr()), cmp.Compare(a.Interface, b.Interface))
}

// planCheckRoutes returns the check routes to delete (live, not wanted)
// and to add (wanted, not live).
func planCheckRoutes(live, want []checkpath.Route) (del, add []checkpath.Route) {
	for _, r := range live {
		if !slices.Contains(want, r) {
			del = append(del, r)
		}
	}
	for _, r := range want {
		if !slices.Contains(live, r) {
			add = append(add, r)
		}
	}
	return del, add
}

// syncCheckRoutes makes the check routes (protocol checkpath.RouteProtocol)
// exactly want, deleting first; it keeps going past a failure.
func syncCheckRoutes(ctx context.Context, r checkpath.Routes, want []checkpath.Route) error {
	live, err := r.List(ctx)
	if err != nil {
		return err
	}
	del, add := planCheckRoutes(live, want)
	var errs []error
	for _, d := range del {
		errs = append(errs, r.Delete(ctx, d))
	}
	for _, a := range add {
		errs = append(errs, r.Add(ctx, a))
	}
	return errors.Join(errs...)
}
