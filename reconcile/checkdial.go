package reconcile

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/seesaw-lb/seesaw/desired"
)

// ErrNoCheckMark means a dsr/tunnel check's backend has no check service
// mark yet (no round has run since the backend was added, or the range is
// too small).
var ErrNoCheckMark = errors.New("no check service mark")

// CheckDial is where one check of one backend connects: the address and
// port to dial, and the SO_MARK to set (0: none).
type CheckDial struct {
	Addr netip.AddrPort
	Mark uint32
}

// CheckDialOf says how check c of backend b in service s dials, given the
// port a plain check would use (the check's port, else the backend's, else
// the service's). A plain check dials the backend with no mark. A dsr or
// tunnel check dials the service's VIP on that port with the mark of the
// backend's check service (from Target.CheckMarks or Status.CheckMarks),
// so IPVS forwards it to exactly that backend the way real traffic goes.
func CheckDialOf(marks CheckMarks, s *desired.Service, b *desired.Backend, c *desired.Check, port uint16) (CheckDial, error) {
	if c.Mode != desired.ModeDSR && c.Mode != desired.ModeTunnel {
		return CheckDial{Addr: netip.AddrPortFrom(b.Address, port)}, nil
	}
	p := checkPathOf(s, b)
	m, ok := marks.Lookup(p)
	if !ok || !s.VIP.IsValid() {
		return CheckDial{}, fmt.Errorf("%s check of backend %s in service %s: %w", c.Mode, b.Address, s.Name, ErrNoCheckMark)
	}
	return CheckDial{Addr: netip.AddrPortFrom(s.VIP.Unmap(), port), Mark: m}, nil
}
