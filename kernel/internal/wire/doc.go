// Package wire holds the netlink framing and the IPVS generic netlink
// numbers (commands, attributes, flags) that package kernel's client and
// package kerneltest's fake both speak: one side builds and parses requests,
// the other answers them. Framing is done with mdlayher/netlink and
// mdlayher/genetlink; see docs/kernel.md for the kernel's behaviour around
// these values.
package wire
