package bgp

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/osrg/gobgp/v4/api"
)

// PeerStatus is one session as the speaker sees it.
type PeerStatus struct {
	Address netip.Addr
	ASN     uint32
	// State is the FSM state: idle, connect, active, opensent, openconfirm, established.
	State string
	// Up reports an established session; Since is when it was established.
	Up    bool
	Since time.Time
	// Received and Advertised count the routes of both unicast families.
	Received, Advertised uint64
}

// Peers returns the state of every session.
func (s *Speaker) Peers(ctx context.Context) ([]PeerStatus, error) {
	var out []PeerStatus
	err := s.srv.ListPeer(ctx, &api.ListPeerRequest{EnableAdvertised: true}, func(p *api.Peer) {
		if p.State == nil {
			return
		}
		a, _ := netip.ParseAddr(p.State.NeighborAddress)
		st := p.State.SessionState
		ps := PeerStatus{Address: a, ASN: p.State.PeerAsn,
			State: strings.ToLower(strings.TrimPrefix(st.String(), "SESSION_STATE_")),
			Up:    st == api.PeerState_SESSION_STATE_ESTABLISHED}
		if ps.Up && p.Timers != nil && p.Timers.State != nil && p.Timers.State.Uptime != nil {
			ps.Since = p.Timers.State.Uptime.AsTime()
		}
		for _, af := range p.AfiSafis {
			if af.State != nil {
				ps.Received += af.State.Received
				ps.Advertised += af.State.Advertised
			}
		}
		out = append(out, ps)
	})
	if err != nil {
		return nil, fmt.Errorf("list BGP peers: %w", err)
	}
	return out, nil
}
