package bgp

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/osrg/gobgp/v4/api"
	"github.com/osrg/gobgp/v4/pkg/apiutil"
	"github.com/osrg/gobgp/v4/pkg/packet/bgp"
	"github.com/osrg/gobgp/v4/pkg/server"
)

// router is a second GoBGP server standing in for a router: it listens on
// loopback and accepts the speaker as an eBGP peer.
type router struct {
	srv  *server.BgpServer
	port uint16
}

// freePort returns a TCP port free on loopback right now.
func freePort(t *testing.T) uint16 {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return uint16(l.Addr().(*net.TCPAddr).Port)
}

func startRouter(t *testing.T) *router {
	t.Helper()
	lvl := &slog.LevelVar{}
	lvl.Set(slog.LevelError)
	srv := server.NewBgpServer(server.LoggerOption(slog.New(slog.DiscardHandler), lvl))
	go srv.Serve()
	port := freePort(t)
	ctx := context.Background()
	if err := srv.StartBgp(ctx, &api.StartBgpRequest{Global: &api.Global{Asn: 65000, RouterId: "127.0.0.2",
		ListenPort: int32(port), ListenAddresses: []string{"127.0.0.1"}}}); err != nil {
		t.Fatal(err)
	}
	p := apiPeer(Peer{Address: netip.MustParseAddr("127.0.0.1"), ASN: 65001, HoldTime: 9 * time.Second, Keepalive: 3 * time.Second, Passive: true})
	if err := srv.AddPeer(ctx, &api.AddPeerRequest{Peer: p}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return &router{srv: srv, port: port}
}

// routes renders the router's received routes, one line per prefix with
// the attributes that matter here, sorted.
func (r *router) routes(t *testing.T) string {
	t.Helper()
	var lines []string
	for _, fam := range []bgp.Family{bgp.RF_IPv4_UC, bgp.RF_IPv6_UC} {
		err := r.srv.ListPath(apiutil.ListPathRequest{TableType: api.TableType_TABLE_TYPE_GLOBAL, Family: fam},
			func(prefix bgp.NLRI, paths []*apiutil.Path) {
				for _, p := range paths {
					lines = append(lines, prefix.String()+" "+attrLine(p.Attrs))
				}
			})
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// attrLine prints the attributes the speaker sets.
func attrLine(attrs []bgp.PathAttributeInterface) string {
	var parts []string
	for _, a := range attrs {
		switch a := a.(type) {
		case *bgp.PathAttributeNextHop:
			parts = append(parts, "nh="+a.Value.String())
		case *bgp.PathAttributeMpReachNLRI:
			parts = append(parts, "nh="+a.Nexthop.String())
		case *bgp.PathAttributeAsPath:
			parts = append(parts, "path="+a.String())
		case *bgp.PathAttributeMultiExitDisc:
			parts = append(parts, fmt.Sprintf("med=%d", a.Value))
		case *bgp.PathAttributeCommunities:
			parts = append(parts, "comm="+a.String())
		case *bgp.PathAttributeLargeCommunities:
			parts = append(parts, "large="+a.String())
		}
	}
	return strings.Join(parts, " ")
}

// waitRoutes polls the router until its routes render as want.
func (r *router) waitRoutes(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	got := ""
	for time.Now().Before(deadline) {
		if got = r.routes(t); got == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("router routes:\n%s\nwant:\n%s", got, want)
}

// TestSpeakerAnnouncesWhatItIsTold peers the speaker with a GoBGP router
// over loopback and checks the routes the router receives: additions,
// withdrawals, attributes of both families, and the withdrawal on Stop.
func TestSpeakerAnnouncesWhatItIsTold(t *testing.T) {
	r := startRouter(t)
	med := uint32(50)
	cfg := Config{ASN: 65001, RouterID: netip.MustParseAddr("127.0.0.1"),
		Attributes: Attributes{NextHopIPv6: netip.MustParseAddr("2001:db8:ffff::1"), MED: &med, Prepend: 2,
			Communities: []uint32{65000<<16 | 100}, LargeCommunities: []LargeCommunity{{65001, 1, 2}}},
		Peers: []Peer{{Address: netip.MustParseAddr("127.0.0.1"), Port: r.port, ASN: 65000,
			HoldTime: 9 * time.Second, Keepalive: 3 * time.Second}}}
	ctx := context.Background()
	s, err := Start(ctx, cfg, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop(ctx, 0)
	v4, v4b, v6 := netip.MustParsePrefix("192.0.2.10/32"), netip.MustParsePrefix("192.0.2.11/32"), netip.MustParsePrefix("2001:db8:10::10/128")
	if err := s.Announce([]netip.Prefix{v4, v6}); err != nil {
		t.Fatal(err)
	}
	const attrs = "path={AsPath: 65001 65001 65001} med=50 comm={Communities: 65000:100} large={LargeCommunity: [ 65001:1:2]}"
	r.waitRoutes(t, "192.0.2.10/32 "+attrs+" nh=127.0.0.1\n2001:db8:10::10/128 "+attrs+" nh=2001:db8:ffff::1")

	if err := s.Announce([]netip.Prefix{v4b, v6}); err != nil {
		t.Fatal(err)
	}
	r.waitRoutes(t, "192.0.2.11/32 "+attrs+" nh=127.0.0.1\n2001:db8:10::10/128 "+attrs+" nh=2001:db8:ffff::1")
	if got := s.Announced(); !slices.Equal(got, []netip.Prefix{v4b, v6}) {
		t.Errorf("Announced = %v", got)
	}
	peers, err := s.Peers(ctx)
	if err != nil || len(peers) != 1 || !peers[0].Up || peers[0].State != "established" || peers[0].ASN != 65000 ||
		peers[0].Advertised != 2 || peers[0].Received != 0 || peers[0].Since.IsZero() || time.Since(peers[0].Since) > time.Minute {
		t.Errorf("Peers = %+v, %v", peers, err)
	}

	start := time.Now()
	if err := s.Stop(ctx, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("Stop returned after %s, before its grace", d)
	}
	r.waitRoutes(t, "")
	if err := s.Announce([]netip.Prefix{v4}); err == nil {
		t.Error("Announce after Stop succeeded")
	}
}
