// Package hatest is the HA traffic suite (make hatest): in the test VM, a
// client, two load balancers and three HTTP backends in network namespaces
// joined by a bridge; a bounded load of short requests and long-lived
// streams runs through a DR and a NAT service while each scenario (a master
// stopped, killed, cut off or restarted; a backend killed or removed; a
// held, an invalid and a symlink-swapped push) happens. Each scenario runs
// with seesaw-reconcile and with Debian's keepalived, and the suite prints
// both side by side: failed requests, the longest gap without a successful
// request, the time both or neither load balancer held the VIP, the
// long-lived connections that survived, and whether the kernel ended equal
// to the config. See docs/testing.md.
//
// The package has only tests; this file holds its documentation.
package hatest
