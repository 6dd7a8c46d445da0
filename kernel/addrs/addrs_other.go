//go:build !linux

package addrs

import (
	"errors"
	"fmt"
	"runtime"
)

// New needs Linux (rtnetlink). On any other GOOS it returns an error
// wrapping errors.ErrUnsupported.
func New(netns int) (Addresses, error) {
	return nil, fmt.Errorf("open rtnetlink for VIP addresses: not supported on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
