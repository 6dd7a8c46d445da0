package checkpath

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/internal/rtlink"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/internal/rtnl"
)

// linuxRoutes is Routes over one rtnetlink socket, with the lock its
// requests need (rtnetlink.Conn is not safe for concurrent requests).
type linuxRoutes struct {
	mu   sync.Mutex
	conn *rtnetlink.Conn
}

// NewRoutes opens an rtnetlink socket in the network namespace netns (a
// namespace file descriptor, 0 for the current one).
func NewRoutes(netns int) (Routes, error) {
	c, err := rtnl.Dial(netns)
	if err != nil {
		return nil, err
	}
	return &linuxRoutes{conn: c}, nil
}

// Close implements Routes.
func (l *linuxRoutes) Close() error { return l.conn.Close() }

// List implements Routes.
func (l *linuxRoutes) List(_ context.Context) ([]Route, error) {
	l.mu.Lock()
	msgs, err := l.conn.Route.List()
	var links []rtnetlink.LinkMessage
	if err == nil {
		links, err = l.conn.Link.List()
	}
	l.mu.Unlock()
	if err != nil {
		return nil, &kernel.OpError{Op: "list check routes", Err: err}
	}
	names := map[uint32]string{}
	for _, lm := range links {
		if lm.Attributes != nil {
			names[lm.Index] = lm.Attributes.Name
		}
	}
	var out []Route
	for _, m := range msgs {
		if m.Protocol != RouteProtocol || m.Table != unix.RT_TABLE_MAIN {
			continue
		}
		addr, ok := netip.AddrFromSlice(m.Attributes.Dst)
		if !ok {
			continue
		}
		out = append(out, Route{Dst: netip.PrefixFrom(addr.Unmap(), int(m.DstLength)), Interface: names[m.Attributes.OutIface]})
	}
	return out, nil
}

// routeMessage builds the request for r.
func routeMessage(r Route, ifindex uint32) *rtnetlink.RouteMessage {
	fam := uint8(unix.AF_INET)
	if r.Dst.Addr().Is6() {
		fam = unix.AF_INET6
	}
	return &rtnetlink.RouteMessage{
		Family: fam, DstLength: uint8(r.Dst.Bits()), Table: unix.RT_TABLE_MAIN,
		Protocol: RouteProtocol, Scope: unix.RT_SCOPE_LINK, Type: unix.RTN_UNICAST,
		Attributes: rtnetlink.RouteAttributes{Dst: net.IP(r.Dst.Addr().AsSlice()), OutIface: ifindex},
	}
}

// Add implements Routes.
func (l *linuxRoutes) Add(_ context.Context, r Route) error {
	op := "add check route " + r.Dst.String() + " dev " + r.Interface
	l.mu.Lock()
	lm, err := rtlink.ByName(l.conn, r.Interface)
	if err == nil {
		err = l.conn.Route.Add(routeMessage(r, lm.Index))
	}
	l.mu.Unlock()
	if errors.Is(err, rtlink.ErrNoLink) {
		return &kernel.OpError{Op: op, Err: fmt.Errorf("%w: %s", rtnl.ErrNoInterface, r.Interface)}
	}
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return &kernel.OpError{Op: op, Err: err}
	}
	return nil
}

// Delete implements Routes. The interface may be gone (the kernel
// then removed the route already).
func (l *linuxRoutes) Delete(_ context.Context, r Route) error {
	op := "delete check route " + r.Dst.String()
	l.mu.Lock()
	var index uint32
	if lm, err := rtlink.ByName(l.conn, r.Interface); err == nil {
		index = lm.Index
	}
	err := l.conn.Route.Delete(routeMessage(r, index))
	l.mu.Unlock()
	if err != nil && !errors.Is(err, unix.ESRCH) && !errors.Is(err, unix.ENOENT) {
		return &kernel.OpError{Op: op, Err: err}
	}
	return nil
}
