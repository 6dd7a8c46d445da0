package addrs

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/kernel"
)

// DeleteAll implements BatchDeleter: one interface lookup, then one
// request per address on the open socket.
func (a *linuxAddresses) DeleteAll(_ context.Context, ifname string, ps []netip.Prefix) []error {
	return a.batch("delete address %s from "+ifname, ifname, ps, a.conn.Address.Delete, nil, unix.EADDRNOTAVAIL, unix.ENOENT)
}

// AddAll implements BatchAdder: one interface lookup, then every address
// in one system call (addBatchLocked); when that fails, one request per
// address on the open socket.
func (a *linuxAddresses) AddAll(_ context.Context, ifname string, ps []netip.Prefix) []error {
	if a.addBatch(ifname, ps) != nil {
		return make([]error, len(ps))
	}
	return a.batch("add address %s to "+ifname, ifname, ps, a.conn.Address.New, nil, unix.EEXIST)
}

// AddAllAnnounce implements AddAnnouncer: AddAll, then the gratuitous ARP
// of each IPv4 address asked for, all at once from the kept socket. When
// the addresses go one request at a time, each one's ARP leaves right after
// its own request.
func (a *linuxAddresses) AddAllAnnounce(_ context.Context, ifname string, ps []netip.Prefix, announce []bool) ([]error, []bool) {
	sent := make([]bool, len(ps))
	wanted := func(i int) bool { return i < len(announce) && announce[i] && ps[i].Addr().Unmap().Is4() }
	if ifi := a.addBatch(ifname, ps); ifi != nil {
		var idx []int
		var as []netip.Addr
		for i, p := range ps {
			if wanted(i) {
				idx, as = append(idx, i), append(as, p.Addr().Unmap())
			}
		}
		if len(as) > 0 {
			for j, err := range a.garp.send(ifi, as) {
				sent[idx[j]] = err == nil
			}
		}
		return make([]error, len(ps)), sent
	}
	errs := a.batch("add address %s to "+ifname, ifname, ps, a.conn.Address.New, func(i int, ifi *net.Interface) {
		if wanted(i) {
			sent[i] = a.garp.send(ifi, []netip.Addr{ps[i].Addr().Unmap()})[0] == nil
		}
	}, unix.EEXIST)
	return errs, sent
}

// batch sends one address request per prefix for ifname, looked up once
// or kept from the last lookup (linkCache), and calls after (when not nil) with the index of each prefix whose
// request succeeded, before the next is sent; the errnos in done mean
// "already so". op names the operation, with %s for the prefix.
func (a *linuxAddresses) batch(op, ifname string, ps []netip.Prefix, send func(*rtnetlink.AddressMessage) error,
	after func(i int, ifi *net.Interface), done ...unix.Errno) []error {
	errs := make([]error, len(ps))
	a.mu.Lock()
	defer a.mu.Unlock()
	ifi, kept, lerr := a.keptLinkLocked(ifname)
	for i, p := range ps {
		err := lerr
		if err == nil {
			err = send(addressMessage(ifi, p))
		}
		if kept && errors.Is(err, unix.ENODEV) {
			// The kept link is gone: look the name up and try again.
			a.links.forget(ifname)
			if ifi, kept, lerr = a.keptLinkLocked(ifname); lerr == nil {
				err = send(addressMessage(ifi, p))
			} else {
				err = lerr
			}
		}
		if err != nil && !slices.ContainsFunc(done, func(e unix.Errno) bool { return errors.Is(err, e) }) {
			errs[i] = &kernel.OpError{Op: fmt.Sprintf(op, p), Err: err}
			continue
		}
		if after != nil {
			after(i, ifi)
		}
	}
	return errs
}
