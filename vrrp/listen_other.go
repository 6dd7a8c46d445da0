//go:build !linux

package vrrp

import (
	"errors"
	"fmt"
	"runtime"
)

// Listen needs Linux (raw IP protocol 112 sockets bound to a device). On
// any other GOOS it returns an error wrapping errors.ErrUnsupported; the
// Machine, Config and the packet codec work everywhere.
func Listen(cfg Config) (Conn, error) {
	return nil, fmt.Errorf("open vrrp socket on %s: not supported on %s: %w", cfg.Interface, runtime.GOOS, errors.ErrUnsupported)
}
