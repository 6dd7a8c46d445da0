package desired

import (
	"errors"
	"net/netip"
)

// errBadAddrPort rejects a zero port or a zoned address.
var errBadAddrPort = errors.New("port 0 or zoned address")

// parseAddrPort parses ADDR:PORT with a non-zero port and no zone.
func parseAddrPort(s string) (netip.AddrPort, error) {
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return netip.AddrPort{}, err
	}
	if ap.Port() == 0 || ap.Addr().Zone() != "" {
		return netip.AddrPort{}, errBadAddrPort
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}
