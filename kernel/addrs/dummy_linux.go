package addrs

import (
	"context"
	"errors"
	"net"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/kernel"
)

// EnsureDummy implements DummyMaker.
func (a *linuxAddresses) EnsureDummy(_ context.Context, ifname string) (bool, error) {
	ifi, err := a.link(ifname)
	if err == nil {
		if ifi.Flags&net.FlagUp != 0 {
			return false, nil
		}
		a.mu.Lock()
		err = a.conn.Link.Set(&rtnetlink.LinkMessage{Family: unix.AF_UNSPEC, Index: uint32(ifi.Index),
			Flags: unix.IFF_UP, Change: unix.IFF_UP})
		a.mu.Unlock()
		if err != nil {
			return false, &kernel.OpError{Op: "set interface " + ifname + " up", Err: err}
		}
		return false, nil
	}
	a.mu.Lock()
	err = a.conn.Link.New(&rtnetlink.LinkMessage{Family: unix.AF_UNSPEC,
		Flags: unix.IFF_UP | unix.IFF_NOARP, Change: unix.IFF_UP | unix.IFF_NOARP,
		Attributes: &rtnetlink.LinkAttributes{Name: ifname, Info: &rtnetlink.LinkInfo{Kind: "dummy"}}})
	a.mu.Unlock()
	if errors.Is(err, unix.EEXIST) { // created meanwhile by someone else
		return false, nil
	}
	if errors.Is(err, unix.EOPNOTSUPP) {
		return false, &kernel.OpError{Op: "create dummy interface " + ifname + " (the kernel has no dummy driver: modprobe dummy, or create the interface yourself)", Err: err}
	}
	if err != nil {
		return false, &kernel.OpError{Op: "create dummy interface " + ifname, Err: err}
	}
	return true, nil
}
