//go:build !unix

package reconcile

import (
	"errors"
	"fmt"
	"time"
)

// processCPU is not measured on this system; the resync then paces its
// steps by their wall time alone.
func processCPU() (time.Duration, error) {
	return 0, fmt.Errorf("process CPU time: %w", errors.ErrUnsupported)
}
