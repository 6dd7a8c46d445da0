package bgp

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/osrg/gobgp/v4/api"
)

// PeerStatus is one session as the speaker sees it.
type PeerStatus struct {
	Address netip.Addr
	ASN     uint32
	// State is the FSM state: idle, connect, active, opensent, openconfirm, established.
	State string
	// Up reports an established session.
	Up bool
}

// Peers returns the state of every session.
func (s *Speaker) Peers(ctx context.Context) ([]PeerStatus, error) {
	var out []PeerStatus
	err := s.srv.ListPeer(ctx, &api.ListPeerRequest{}, func(p *api.Peer) {
		if p.State == nil {
			return
		}
		a, _ := netip.ParseAddr(p.State.NeighborAddress)
		st := p.State.SessionState
		out = append(out, PeerStatus{Address: a, ASN: p.State.PeerAsn,
			State: strings.ToLower(strings.TrimPrefix(st.String(), "SESSION_STATE_")),
			Up:    st == api.PeerState_SESSION_STATE_ESTABLISHED})
	})
	if err != nil {
		return nil, fmt.Errorf("list BGP peers: %w", err)
	}
	return out, nil
}
