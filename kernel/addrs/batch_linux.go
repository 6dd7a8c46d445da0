package addrs

import (
	"context"
	"errors"
	"net/netip"

	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/internal/rtnl"
)

// DeleteAll implements BatchDeleter: one interface lookup, then one
// request per address on the open socket.
func (a *linuxAddresses) DeleteAll(_ context.Context, ifname string, ps []netip.Prefix) []error {
	errs := make([]error, len(ps))
	ifi, err := rtnl.Interface(ifname)
	if err != nil {
		for i, p := range ps {
			errs[i] = &kernel.OpError{Op: "delete address " + p.String() + " from " + ifname, Err: err}
		}
		return errs
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, p := range ps {
		err := a.conn.Address.Delete(addressMessage(ifi, p))
		if err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) && !errors.Is(err, unix.ENOENT) {
			errs[i] = &kernel.OpError{Op: "delete address " + p.String() + " from " + ifname, Err: err}
		}
	}
	return errs
}
