package bgp

import (
	"time"

	"github.com/osrg/gobgp/v4/api"
)

// apiPeer converts a Peer into GoBGP's neighbour config, with both unicast
// families so one session carries IPv4 and IPv6 routes.
func apiPeer(p Peer) *api.Peer {
	port := uint32(p.Port)
	if port == 0 {
		port = 179
	}
	out := &api.Peer{
		Conf: &api.PeerConf{NeighborAddress: p.Address.String(), PeerAsn: p.ASN, AuthPassword: p.Password},
		Timers: &api.Timers{Config: &api.TimersConfig{
			HoldTime: uint64(p.HoldTime / time.Second), KeepaliveInterval: uint64(p.Keepalive / time.Second),
			ConnectRetry: 5}},
		Transport: &api.Transport{RemotePort: port, PassiveMode: p.Passive},
		AfiSafis:  []*api.AfiSafi{afiSafi(api.Family_AFI_IP, p), afiSafi(api.Family_AFI_IP6, p)},
	}
	if p.LocalAddress.IsValid() {
		out.Transport.LocalAddress = p.LocalAddress.String()
	}
	if p.MultihopTTL > 0 {
		out.EbgpMultihop = &api.EbgpMultihop{Enabled: true, MultihopTtl: uint32(p.MultihopTTL)}
	}
	if p.GracefulRestart > 0 {
		out.GracefulRestart = &api.GracefulRestart{Enabled: true, RestartTime: uint32(p.GracefulRestart / time.Second)}
	}
	if b := p.BFD; b != nil {
		us := uint32(b.Interval / time.Microsecond)
		out.Bfd = &api.BfdPeerConfig{Enabled: true, DesiredMinimumTxInterval: us, RequiredMinimumReceive: us,
			DetectionMultiplier: uint32(b.Multiplier)}
	}
	return out
}

// afiSafi enables one unicast family on a session.
func afiSafi(afi api.Family_Afi, p Peer) *api.AfiSafi {
	a := &api.AfiSafi{Config: &api.AfiSafiConfig{
		Family: &api.Family{Afi: afi, Safi: api.Family_SAFI_UNICAST}, Enabled: true}}
	if p.GracefulRestart > 0 {
		a.MpGracefulRestart = &api.MpGracefulRestart{Config: &api.MpGracefulRestartConfig{Enabled: true}}
	}
	return a
}
