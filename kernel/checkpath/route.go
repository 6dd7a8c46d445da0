package checkpath

import (
	"context"
	"net/netip"
)

// RouteProtocol is the rtnetlink protocol (RTPROT_*) of the routes this
// package adds for checks through IPVS; it tells them apart from every other
// route, so only they are ever listed or deleted. 0x5e is unassigned in
// iproute2's rt_protos.
const RouteProtocol = 0x5e

// Route is a host route in the main table for a VIP that dsr/tunnel
// checks dial: `VIP/32 dev Interface scope link proto 0x5e`. A node that
// does not hold the VIP (a backup) has no route to it otherwise, and a
// locally generated packet reaches IPVS (the LOCAL_OUT hook) only after its
// output route lookup succeeded; the route's interface also gives the
// check's source address, which the backend answers.
type Route struct {
	Dst       netip.Prefix // host length
	Interface string
}

// Routes adds, lists and deletes check routes. NewRoutes returns the
// kernel's.
type Routes interface {
	// List returns the check routes in the main table (protocol RouteProtocol).
	List(ctx context.Context) ([]Route, error)
	// Add adds r; a route to the same destination already there (ours or
	// the operator's) is left as it is.
	Add(ctx context.Context, r Route) error
	// Delete deletes r; a route already gone is not an error.
	Delete(ctx context.Context, r Route) error
	// Close releases the socket.
	Close() error
}
