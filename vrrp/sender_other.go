//go:build !linux

package vrrp

// RunSenderIfChild returns at once: the advert sender process needs
// Linux (see the Linux documentation of RunSenderIfChild).
func RunSenderIfChild() {}
