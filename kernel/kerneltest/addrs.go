package kerneltest

import (
	"context"
	"net/netip"
	"slices"
	"sync"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/addrs"
)

var _ addrs.Addresses = (*Addresses)(nil)

// Addresses is an in-memory addrs.Addresses: the interfaces named to
// NewAddresses exist; Announced lists every announcement in order.
type Addresses struct {
	mu        sync.Mutex
	ifaces    map[string][]netip.Prefix
	announced []netip.Addr
	dummies   []string // created by EnsureDummy (addrs_dummy.go)
}

// NewAddresses returns a fake with the named interfaces and no addresses.
func NewAddresses(ifnames ...string) *Addresses {
	f := &Addresses{ifaces: map[string][]netip.Prefix{}}
	for _, n := range ifnames {
		f.ifaces[n] = nil
	}
	return f
}

// List implements addrs.Addresses.
func (f *Addresses) List(_ context.Context, ifname string) ([]netip.Prefix, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ps, ok := f.ifaces[ifname]
	if !ok {
		return nil, &kernel.OpError{Op: "list addresses of " + ifname, Err: addrs.ErrNoInterface}
	}
	return slices.Clone(ps), nil
}

// Add implements addrs.Addresses.
func (f *Addresses) Add(_ context.Context, ifname string, p netip.Prefix) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	ps, ok := f.ifaces[ifname]
	if !ok {
		return &kernel.OpError{Op: "add address " + p.String() + " to " + ifname, Err: addrs.ErrNoInterface}
	}
	if !slices.Contains(ps, p) {
		f.ifaces[ifname] = append(ps, p)
	}
	return nil
}

// Delete implements addrs.Addresses.
func (f *Addresses) Delete(_ context.Context, ifname string, p netip.Prefix) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	ps, ok := f.ifaces[ifname]
	if !ok {
		return &kernel.OpError{Op: "delete address " + p.String() + " from " + ifname, Err: addrs.ErrNoInterface}
	}
	f.ifaces[ifname] = slices.DeleteFunc(ps, func(x netip.Prefix) bool { return x == p })
	return nil
}

// Announce implements addrs.Addresses.
func (f *Addresses) Announce(_ context.Context, ifname string, a netip.Addr) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.ifaces[ifname]; !ok {
		return &kernel.OpError{Op: "announce " + a.String() + " on " + ifname, Err: addrs.ErrNoInterface}
	}
	f.announced = append(f.announced, a)
	return nil
}

// AddAllAnnounce implements addrs.AddAnnouncer: Add, then Announce for
// each IPv4 address asked for.
func (f *Addresses) AddAllAnnounce(ctx context.Context, ifname string, ps []netip.Prefix, announce []bool) ([]error, []bool) {
	errs, sent := make([]error, len(ps)), make([]bool, len(ps))
	for i, p := range ps {
		if errs[i] = f.Add(ctx, ifname, p); errs[i] == nil && i < len(announce) && announce[i] && p.Addr().Unmap().Is4() {
			sent[i] = f.Announce(ctx, ifname, p.Addr()) == nil
		}
	}
	return errs, sent
}

// AnnounceAll implements addrs.BatchAnnouncer.
func (f *Addresses) AnnounceAll(ctx context.Context, ifname string, as []netip.Addr) []error {
	errs := make([]error, len(as))
	for i, a := range as {
		errs[i] = f.Announce(ctx, ifname, a)
	}
	return errs
}

// Announced returns the addresses announced so far, in order.
func (f *Addresses) Announced() []netip.Addr {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.announced)
}

// Close implements addrs.Addresses.
func (f *Addresses) Close() error { return nil }
