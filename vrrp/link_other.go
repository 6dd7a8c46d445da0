//go:build !linux

package vrrp

import "net"

// linkUp reports whether the named link is administratively up and has
// carrier. A link that does not exist is down.
func linkUp(name string) bool {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return false
	}
	return ifi.Flags&net.FlagUp != 0 && ifi.Flags&net.FlagRunning != 0
}
