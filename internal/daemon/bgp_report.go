package daemon

import (
	"context"
	"slices"
	"time"

	"github.com/seesaw-lb/seesaw/bgp"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// BGPReport is the BGP speaker of node.bgp: its sessions and, for every
// VIP inside node.bgp.announce, whether it is announced and why.
type BGPReport struct {
	// Running reports that the speaker runs (it starts after the first
	// round and restarts when node.bgp changes).
	Running bool `json:"running"`
	// Drained reports drain-node: every route withdrawn by hand.
	Drained bool             `json:"drained_by_hand"`
	Peers   []BGPPeerReport  `json:"peers"`
	Routes  []BGPRouteReport `json:"routes"`
	// Error is why the sessions could not be listed.
	Error string `json:"error,omitempty"`
}

// BGPPeerReport is one session.
type BGPPeerReport struct {
	Address string `json:"address"`
	ASN     uint32 `json:"asn"`
	// State is the FSM state (idle, connect, active, opensent, openconfirm, established).
	State string    `json:"state"`
	Up    bool      `json:"up"`
	Since time.Time `json:"since,omitzero"`
	// Received and Advertised count routes, both families together.
	Received   uint64 `json:"received"`
	Advertised uint64 `json:"advertised"`
}

// BGPRouteReport is one VIP's verdict (reconcile.BGPRoutes).
type BGPRouteReport struct {
	Prefix    string `json:"prefix"`
	Announced bool   `json:"announced"`
	Reason    string `json:"reason"`
	// Up and Services count the VIP's services that serve, and all of them.
	Up       int `json:"services_up"`
	Services int `json:"services"`
	// Transitions counts the verdict's changes since start.
	Transitions uint64 `json:"transitions"`
}

// snapshot returns the last verdicts, their transitions and the speaker.
func (r *bgpRunner) snapshot() ([]reconcile.VIPRoute, map[string]uint64, bool, *bgp.Speaker) {
	r.mu.Lock()
	defer r.mu.Unlock()
	tr := make(map[string]uint64, len(r.transitions))
	for p, n := range r.transitions {
		tr[p.String()] = n
	}
	return slices.Clone(r.routes), tr, r.drained, r.speaker
}

// bgpReport is the status of node.bgp; nil for a node without it.
func (w *wiring) bgpReport(ctx context.Context) *BGPReport {
	w.mu.Lock()
	hasBGP := w.haveRaw && w.raw.Node.BGP != nil
	w.mu.Unlock()
	if !hasBGP || w.bgp == nil {
		return nil
	}
	routes, transitions, drained, sp := w.bgp.snapshot()
	r := &BGPReport{Running: sp != nil, Drained: drained, Peers: []BGPPeerReport{}, Routes: []BGPRouteReport{}}
	for _, rt := range routes {
		r.Routes = append(r.Routes, BGPRouteReport{Prefix: rt.Prefix.String(), Announced: rt.Announce && sp != nil,
			Reason: rt.Reason, Up: rt.Up, Services: rt.Services, Transitions: transitions[rt.Prefix.String()]})
	}
	if sp == nil {
		return r
	}
	peers, err := sp.Peers(ctx)
	if err != nil {
		r.Error = err.Error()
	}
	for _, p := range peers {
		r.Peers = append(r.Peers, BGPPeerReport{Address: p.Address.String(), ASN: p.ASN, State: p.State, Up: p.Up,
			Since: p.Since, Received: p.Received, Advertised: p.Advertised})
	}
	return r
}
