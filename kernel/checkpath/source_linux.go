package checkpath

import (
	"fmt"
	"net"
	"net/netip"
)

// SourceFor returns the address the kernel picks as source for packets to
// dst (a connected UDP socket sends nothing). A dsr/tunnel check on a node
// holding the VIP must bind it: the kernel's own choice for a local VIP is
// the VIP itself, which the backend drops as its own address.
func SourceFor(dst netip.Addr) (netip.Addr, error) {
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(dst, 9)))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("find the source address for %s: %w", dst, err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap(), nil
}
