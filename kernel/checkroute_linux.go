package kernel

import (
	"context"
	"errors"
	"net"
	"net/netip"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"
)

// linuxCheckRoutes is CheckRoutes over one rtnetlink socket.
type linuxCheckRoutes struct{ rtconn }

// NewCheckRoutes opens an rtnetlink socket in the network namespace netns
// (a namespace file descriptor, 0 for the current one).
func NewCheckRoutes(netns int) (CheckRoutes, error) {
	c, err := dialRtnetlink(netns)
	if err != nil {
		return nil, err
	}
	return &linuxCheckRoutes{rtconn{conn: c}}, nil
}

// List implements CheckRoutes.
func (l *linuxCheckRoutes) List(_ context.Context) ([]CheckRoute, error) {
	l.mu.Lock()
	msgs, err := l.conn.Route.List()
	l.mu.Unlock()
	if err != nil {
		return nil, &OpError{Op: "list check routes", Err: err}
	}
	var out []CheckRoute
	for _, m := range msgs {
		if m.Protocol != RouteProtocol || m.Table != unix.RT_TABLE_MAIN {
			continue
		}
		addr, ok := netip.AddrFromSlice(m.Attributes.Dst)
		if !ok {
			continue
		}
		ifname := ""
		if ifi, err := net.InterfaceByIndex(int(m.Attributes.OutIface)); err == nil {
			ifname = ifi.Name
		}
		out = append(out, CheckRoute{Dst: netip.PrefixFrom(addr.Unmap(), int(m.DstLength)), Interface: ifname})
	}
	return out, nil
}

// routeMessage builds the request for r.
func routeMessage(r CheckRoute, ifindex uint32) *rtnetlink.RouteMessage {
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

// Add implements CheckRoutes.
func (l *linuxCheckRoutes) Add(_ context.Context, r CheckRoute) error {
	op := "add check route " + r.Dst.String() + " dev " + r.Interface
	ifi, err := interfaceIndex(r.Interface)
	if err != nil {
		return &OpError{Op: op, Err: err}
	}
	l.mu.Lock()
	err = l.conn.Route.Add(routeMessage(r, uint32(ifi.Index)))
	l.mu.Unlock()
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return &OpError{Op: op, Err: err}
	}
	return nil
}

// Delete implements CheckRoutes. The interface may be gone (the kernel
// then removed the route already).
func (l *linuxCheckRoutes) Delete(_ context.Context, r CheckRoute) error {
	op := "delete check route " + r.Dst.String()
	var index uint32
	if ifi, err := net.InterfaceByName(r.Interface); err == nil {
		index = uint32(ifi.Index)
	}
	l.mu.Lock()
	err := l.conn.Route.Delete(routeMessage(r, index))
	l.mu.Unlock()
	if err != nil && !errors.Is(err, unix.ESRCH) && !errors.Is(err, unix.ENOENT) {
		return &OpError{Op: op, Err: err}
	}
	return nil
}
