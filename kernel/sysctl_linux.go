package kernel

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
)

// ProcSysctls is Sysctls over /proc/sys of the current network namespace.
type ProcSysctls struct{}

// Get implements Sysctls.
func (ProcSysctls) Get(name string) (string, error) {
	b, err := os.ReadFile(filepath.Join("/proc/sys", name))
	if err != nil {
		return "", fmt.Errorf("read sysctl %s: %w", name, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// Set implements Sysctls.
func (ProcSysctls) Set(name, value string) error {
	if err := os.WriteFile(filepath.Join("/proc/sys", name), []byte(value+"\n"), 0o644); err != nil {
		return fmt.Errorf("write sysctl %s=%s: %w", name, value, err)
	}
	return nil
}

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
