package kernel

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"sync"
)

// Addresses manages the VIP addresses of a node's interfaces (rtnetlink)
// and announces them to the segment (gratuitous ARP, unsolicited neighbour
// advertisement). NewAddresses returns the kernel's; NewFakeAddresses a fake.
type Addresses interface {
	// List returns the addresses of interface ifname with their prefix lengths.
	List(ctx context.Context, ifname string) ([]netip.Prefix, error)
	// Add adds p to ifname; an address already there is not an error.
	Add(ctx context.Context, ifname string, p netip.Prefix) error
	// Delete removes p from ifname; an address already gone is not an error.
	Delete(ctx context.Context, ifname string, p netip.Prefix) error
	// Announce tells the segment that a is now on ifname: gratuitous ARP for
	// IPv4, unsolicited neighbour advertisement (override) for IPv6.
	Announce(ctx context.Context, ifname string, a netip.Addr) error
	// Close releases the sockets.
	Close() error
}

// ErrNoInterface is returned for an interface that does not exist.
var ErrNoInterface = errors.New("no such interface")

// FakeAddresses is an in-memory Addresses for tests: interfaces exist once
// created with AddInterface; Announced lists every announcement in order.
type FakeAddresses struct {
	mu        sync.Mutex
	ifaces    map[string][]netip.Prefix
	announced []netip.Addr
}

// NewFakeAddresses returns a fake with the named interfaces and no addresses.
func NewFakeAddresses(ifnames ...string) *FakeAddresses {
	f := &FakeAddresses{ifaces: map[string][]netip.Prefix{}}
	for _, n := range ifnames {
		f.ifaces[n] = nil
	}
	return f
}

// List implements Addresses.
func (f *FakeAddresses) List(_ context.Context, ifname string) ([]netip.Prefix, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ps, ok := f.ifaces[ifname]
	if !ok {
		return nil, &OpError{Op: "list addresses of " + ifname, Err: ErrNoInterface}
	}
	return slices.Clone(ps), nil
}

// Add implements Addresses.
func (f *FakeAddresses) Add(_ context.Context, ifname string, p netip.Prefix) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	ps, ok := f.ifaces[ifname]
	if !ok {
		return &OpError{Op: "add address " + p.String() + " to " + ifname, Err: ErrNoInterface}
	}
	if !slices.Contains(ps, p) {
		f.ifaces[ifname] = append(ps, p)
	}
	return nil
}

// Delete implements Addresses.
func (f *FakeAddresses) Delete(_ context.Context, ifname string, p netip.Prefix) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	ps, ok := f.ifaces[ifname]
	if !ok {
		return &OpError{Op: "delete address " + p.String() + " from " + ifname, Err: ErrNoInterface}
	}
	f.ifaces[ifname] = slices.DeleteFunc(ps, func(x netip.Prefix) bool { return x == p })
	return nil
}

// Announce implements Addresses.
func (f *FakeAddresses) Announce(_ context.Context, ifname string, a netip.Addr) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.ifaces[ifname]; !ok {
		return &OpError{Op: "announce " + a.String() + " on " + ifname, Err: ErrNoInterface}
	}
	f.announced = append(f.announced, a)
	return nil
}

// Announced returns the addresses announced so far, in order.
func (f *FakeAddresses) Announced() []netip.Addr {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.announced)
}

// Close implements Addresses.
func (f *FakeAddresses) Close() error { return nil }
