package addrs

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/internal/rtnl"
)

// DeleteAll implements BatchDeleter: one interface lookup, then one
// request per address on the open socket.
func (a *linuxAddresses) DeleteAll(_ context.Context, ifname string, ps []netip.Prefix) []error {
	return a.batch("delete address %s from "+ifname, ifname, ps, a.conn.Address.Delete, unix.EADDRNOTAVAIL, unix.ENOENT)
}

// AddAll implements BatchAdder: one interface lookup, then one request per
// address on the open socket.
func (a *linuxAddresses) AddAll(_ context.Context, ifname string, ps []netip.Prefix) []error {
	return a.batch("add address %s to "+ifname, ifname, ps, a.conn.Address.New, unix.EEXIST)
}

// AddAllAnnounce implements AddAnnouncer: AddAll, with the gratuitous ARP
// of each IPv4 address asked for sent right after its own request.
func (a *linuxAddresses) AddAllAnnounce(_ context.Context, ifname string, ps []netip.Prefix, announce []bool) ([]error, []bool) {
	sent := make([]bool, len(ps))
	ifi, err := rtnl.Interface(ifname)
	errs := make([]error, len(ps))
	if err != nil {
		for i, p := range ps {
			errs[i] = &kernel.OpError{Op: "add address " + p.String() + " to " + ifname, Err: err}
		}
		return errs, sent
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, p := range ps {
		if err := a.conn.Address.New(addressMessage(ifi, p)); err != nil && !errors.Is(err, unix.EEXIST) {
			errs[i] = &kernel.OpError{Op: "add address " + p.String() + " to " + ifname, Err: err}
			continue
		}
		if i < len(announce) && announce[i] && p.Addr().Unmap().Is4() {
			sent[i] = a.garp.send(ifi, []netip.Addr{p.Addr().Unmap()})[0] == nil
		}
	}
	return errs, sent
}

// batch sends one address request per prefix for ifname, looked up once;
// the errnos in done mean "already so". op names the operation, with %s
// for the prefix.
func (a *linuxAddresses) batch(op, ifname string, ps []netip.Prefix, send func(*rtnetlink.AddressMessage) error, done ...unix.Errno) []error {
	errs := make([]error, len(ps))
	ifi, err := rtnl.Interface(ifname)
	if err != nil {
		for i, p := range ps {
			errs[i] = &kernel.OpError{Op: fmt.Sprintf(op, p), Err: err}
		}
		return errs
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, p := range ps {
		err := send(addressMessage(ifi, p))
		if err != nil && !slices.ContainsFunc(done, func(e unix.Errno) bool { return errors.Is(err, e) }) {
			errs[i] = &kernel.OpError{Op: fmt.Sprintf(op, p), Err: err}
		}
	}
	return errs
}
