//go:build !linux

package daemon

import (
	"errors"

	"github.com/seesaw-lb/seesaw/desired"
)

// handoffConns needs Linux's IPVS connection table.
func handoffConns(desired.Config, desired.SyncDaemon) (int, int, error) {
	return 0, 0, errors.ErrUnsupported
}
