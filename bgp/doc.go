// Package bgp is the node's BGP speaker: GoBGP v4 embedded as a library,
// peering with the routers in front of anycast load balancers.
//
// It only announces what it is told. Announce takes the full set of host
// routes the node should announce (reconcile.BGPRoutes decides which) and
// adds and withdraws routes until the speaker announces exactly that set,
// each with the same attributes (next hop per family, communities, large
// communities, MED, LOCAL_PREF, AS-path prepends). Stop withdraws every
// route, waits a grace period so the routers move new flows to the other
// nodes, then closes the sessions.
package bgp
