// Package vrrp implements a VRRPv3 (RFC 9568) node that decides which load
// balancer holds the VIPs.
package vrrp
