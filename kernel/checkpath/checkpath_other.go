//go:build !linux

package checkpath

import (
	"errors"
	"fmt"
	"net/netip"
	"runtime"
)

// errUnsupported is what every function of this file returns: routes,
// sysctls and source selection need Linux.
var errUnsupported = fmt.Errorf("not supported on %s: %w", runtime.GOOS, errors.ErrUnsupported)

// NewRoutes needs Linux (rtnetlink); elsewhere it returns an error wrapping
// errors.ErrUnsupported.
func NewRoutes(netns int) (Routes, error) {
	return nil, fmt.Errorf("open rtnetlink for check routes: %w", errUnsupported)
}

// SourceFor needs Linux; elsewhere it returns an error wrapping
// errors.ErrUnsupported.
func SourceFor(dst netip.Addr) (netip.Addr, error) {
	return netip.Addr{}, fmt.Errorf("find the source address towards %s: %w", dst, errUnsupported)
}

// ProcSysctls is Sysctls over /proc/sys, which only Linux has: off Linux
// every call fails with an error wrapping errors.ErrUnsupported.
type ProcSysctls struct{}

// Get implements Sysctls.
func (ProcSysctls) Get(name string) (string, error) {
	return "", fmt.Errorf("read sysctl %s: %w", name, errUnsupported)
}

// Set implements Sysctls.
func (ProcSysctls) Set(name, value string) error {
	return fmt.Errorf("write sysctl %s=%s: %w", name, value, errUnsupported)
}
