//go:build !linux

package kernel

import (
	"errors"
	"fmt"
	"runtime"
)

// Dial needs Linux (generic netlink and the ip_vs module). On any other GOOS
// it returns an error wrapping errors.ErrUnsupported; the types, plans,
// rendering and NewClient with another Socket work everywhere.
func Dial(o Options) (*Client, error) {
	return nil, fmt.Errorf("open IPVS: not supported on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
