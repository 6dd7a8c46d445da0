package reconcile

import (
	"net/netip"

	"github.com/seesaw-lb/seesaw/desired"
)

// backendAddrPort is a backend's configured address and port (port 0 when
// it takes each service port), as Health keys it.
func backendAddrPort(b *desired.Backend) netip.AddrPort {
	return netip.AddrPortFrom(b.Address.Unmap(), b.Port)
}

// HealthKey returns the Health key of backend b of service s: the key a
// verdict about that backend must carry to be found by Compute.
func HealthKey(s *desired.Service, b *desired.Backend) BackendKey {
	return BackendKey{Service: s.Name, Backend: backendAddrPort(b)}
}
