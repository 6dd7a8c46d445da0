// Package anycasttest is the anycast suite (make anycasttest): in the test
// VM, a router namespace running BIRD 2 with ECMP (merge paths, L4 hash
// policy), three load balancer namespaces each running
// `seesaw-reconcile run` with node.bgp, real IPVS (mh, DR) and its anycast
// VIP on a dummy interface, three DR backends and a client namespace with
// a bounded request loop from several source addresses. It shows that
// flows spread over all three nodes and that a source reaches the same
// backend through any node (identical mh tables), and measures, per
// scenario (a node's service down by health, drain-node, SIGTERM, kill -9,
// a node cut off until the hold time expires, a node coming back), the
// requests that failed and the time until the router's route set changed.
// See docs/anycast.md and docs/benchmarks.md.
//
// The package has only tests; this file holds its documentation.
package anycasttest
