package addrs

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/internal/rtnl"
)

// linuxAddresses is the kernel's Addresses over one rtnetlink socket, with
// the lock its requests need (rtnetlink.Conn is not safe for concurrent
// requests).
type linuxAddresses struct {
	mu    sync.Mutex
	conn  *rtnetlink.Conn
	bulk  *netlink.Conn // batches of adds (addBatchLocked); nil: one request each
	garp  garpSockets
	links linkCache
}

// New opens an rtnetlink socket in the network namespace netns (a
// namespace file descriptor, 0 for the current one).
func New(netns int) (Addresses, error) {
	c, err := rtnl.Dial(netns)
	if err != nil {
		return nil, err
	}
	a := &linuxAddresses{conn: c}
	if a.bulk, err = dialBulk(netns); err != nil {
		c.Close()
		return nil, err
	}
	a.links.start(netns, a.garp.dropIndex)
	return a, nil
}

// Close implements Addresses.
func (a *linuxAddresses) Close() error {
	a.garp.close()
	a.links.close()
	a.mu.Lock()
	a.dropBulkLocked()
	a.mu.Unlock()
	return a.conn.Close()
}

// List implements Addresses.
func (a *linuxAddresses) List(_ context.Context, ifname string) ([]netip.Prefix, error) {
	a.mu.Lock()
	ifi, err := a.linkLocked(ifname)
	if err != nil {
		a.mu.Unlock()
		return nil, &kernel.OpError{Op: "list addresses of " + ifname, Err: err}
	}
	msgs, err := a.conn.Address.List()
	a.mu.Unlock()
	if err != nil {
		return nil, &kernel.OpError{Op: "list addresses of " + ifname, Err: err}
	}
	var out []netip.Prefix
	for _, m := range msgs {
		if m.Index != uint32(ifi.Index) || m.Attributes == nil {
			continue
		}
		ip := m.Attributes.Local // IPv4 peer addresses differ; Local is ours
		if ip == nil {
			ip = m.Attributes.Address
		}
		if addr, ok := netip.AddrFromSlice(ip); ok {
			out = append(out, netip.PrefixFrom(addr.Unmap(), int(m.PrefixLength)))
		}
	}
	return out, nil
}

// addressMessage builds the request for p on ifi. IPv6 VIPs skip duplicate
// address detection (IFA_F_NODAD): the VRRP master owns them, and a
// tentative address could not be announced or used for a second or more.
func addressMessage(ifi *net.Interface, p netip.Prefix) *rtnetlink.AddressMessage {
	ip := net.IP(p.Addr().AsSlice())
	m := &rtnetlink.AddressMessage{
		Family: unix.AF_INET, PrefixLength: uint8(p.Bits()), Scope: unix.RT_SCOPE_UNIVERSE, Index: uint32(ifi.Index),
		Attributes: &rtnetlink.AddressAttributes{Address: ip, Local: ip},
	}
	if p.Addr().Is6() {
		m.Family = unix.AF_INET6
		m.Attributes.Local = nil
		m.Attributes.Flags = unix.IFA_F_NODAD
	}
	return m
}

// Add implements Addresses.
func (a *linuxAddresses) Add(_ context.Context, ifname string, p netip.Prefix) error {
	return a.change("add address "+p.String()+" to "+ifname, ifname, p, a.conn.Address.New, unix.EEXIST)
}

// Delete implements Addresses.
func (a *linuxAddresses) Delete(_ context.Context, ifname string, p netip.Prefix) error {
	return a.change("delete address "+p.String()+" from "+ifname, ifname, p, a.conn.Address.Delete,
		unix.EADDRNOTAVAIL, unix.ENOENT)
}

// change sends one address request; the errnos in done mean "already so".
func (a *linuxAddresses) change(op, ifname string, p netip.Prefix, send func(*rtnetlink.AddressMessage) error, done ...unix.Errno) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	ifi, err := a.linkLocked(ifname)
	if err != nil {
		return &kernel.OpError{Op: op, Err: err}
	}
	err = send(addressMessage(ifi, p))
	for _, e := range done {
		if errors.Is(err, e) {
			return nil
		}
	}
	if err != nil {
		return &kernel.OpError{Op: op, Err: err}
	}
	return nil
}
