// Package kernel talks to Linux IPVS over generic netlink and manages VIP
// addresses; it also provides a stateful fake kernel for tests.
package kernel
