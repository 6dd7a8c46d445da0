package addrs

import (
	"context"
	"net/netip"

	"github.com/seesaw-lb/seesaw/kernel/internal/rtnl"
)

// Addresses manages the VIP addresses of a node's interfaces (rtnetlink)
// and announces them to the segment (gratuitous ARP, unsolicited neighbour
// advertisement). New returns the kernel's; kerneltest.NewAddresses a fake.
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
var ErrNoInterface = rtnl.ErrNoInterface

// BatchDeleter is an Addresses that removes many addresses of one
// interface with one interface lookup (the kernel's does): a node leaving
// mastership removes all its VIPs before its last advert, so their removal
// is on the failover's critical path. errs has one entry per prefix, nil
// when the address is gone (or already was).
type BatchDeleter interface {
	DeleteAll(ctx context.Context, ifname string, ps []netip.Prefix) (errs []error)
}

// BatchAdder is an Addresses that adds many addresses to one interface
// with one interface lookup and, on Linux, one system call: a takeover
// adds all its VIPs before any announcement, so their addition is on the
// failover's critical path. errs has one entry per prefix, nil when the
// address is there (or already was).
type BatchAdder interface {
	AddAll(ctx context.Context, ifname string, ps []netip.Prefix) (errs []error)
}

// BatchAnnouncer is an Addresses that announces many addresses of one
// interface with one interface lookup and one kept socket: a takeover's
// first announcements of all its VIPs leave together, at once. errs has
// one entry per address.
type BatchAnnouncer interface {
	AnnounceAll(ctx context.Context, ifname string, as []netip.Addr) (errs []error)
}

// AddAnnouncer is an Addresses that adds many addresses to one interface
// as BatchAdder does and then announces the IPv4 ones at once, from the
// kept announcement socket: every address is there when the neighbours
// learn the first, and no address request competes with the first
// connections the announcements bring (when the batch cannot be sent
// whole, each address is announced right after its own request). errs has
// one entry per prefix, as BatchAdder's; sent[i] reports that announce[i]
// asked for it and the address's first announcement left (IPv6 addresses
// are left to the caller: their socket takes a grace period to open).
type AddAnnouncer interface {
	AddAllAnnounce(ctx context.Context, ifname string, ps []netip.Prefix, announce []bool) (errs []error, sent []bool)
}

// AnnouncePreparer is an Addresses that opens an interface's announcement
// socket ahead of need: a backup prepares the interfaces of its VIPs, so
// that the first announcement of its takeover does not wait for the
// socket's setup (an RCU grace period: milliseconds on a loaded host). A
// prepared interface needs nothing more until Close.
type AnnouncePreparer interface {
	PrepareAnnounce(ctx context.Context, ifname string) error
}

// DummyMaker is an Addresses that can create the interface anycast VIPs
// live on (node.bgp.interface).
type DummyMaker interface {
	// EnsureDummy creates ifname as a dummy interface, up and without ARP,
	// when no interface of that name exists, and reports whether it did.
	// An existing interface is left as it is, whatever its kind, except
	// that it is set up.
	EnsureDummy(ctx context.Context, ifname string) (created bool, err error)
}
