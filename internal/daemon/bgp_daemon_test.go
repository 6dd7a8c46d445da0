package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/osrg/gobgp/v4/api"
	"github.com/osrg/gobgp/v4/pkg/apiutil"
	"github.com/osrg/gobgp/v4/pkg/packet/bgp"
	"github.com/osrg/gobgp/v4/pkg/server"

	"github.com/seesaw-lb/seesaw/internal/testenv"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// loopbackRouter is a GoBGP server on 127.0.0.1 standing in for a router:
// it accepts 127.0.0.1 (AS 65001) and returns a function listing the
// prefixes it has received.
func loopbackRouter(t *testing.T) (uint16, func() []string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	lvl := &slog.LevelVar{}
	srv := server.NewBgpServer(server.LoggerOption(slog.New(slog.DiscardHandler), lvl))
	go srv.Serve()
	ctx := context.Background()
	if err := srv.StartBgp(ctx, &api.StartBgpRequest{Global: &api.Global{Asn: 65000, RouterId: "127.0.0.2",
		ListenPort: int32(port), ListenAddresses: []string{"127.0.0.1"}}}); err != nil {
		t.Fatal(err)
	}
	peer := &api.Peer{Conf: &api.PeerConf{NeighborAddress: "127.0.0.1", PeerAsn: 65001},
		Transport: &api.Transport{PassiveMode: true}}
	if err := srv.AddPeer(ctx, &api.AddPeerRequest{Peer: peer}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return port, func() []string {
		var out []string
		_ = srv.ListPath(apiutil.ListPathRequest{TableType: api.TableType_TABLE_TYPE_GLOBAL, Family: bgp.RF_IPv4_UC},
			func(prefix bgp.NLRI, _ []*apiutil.Path) { out = append(out, prefix.String()) })
		return out
	}
}

// TestDaemonAnnouncesOverBGP runs the daemon (fake IPVS, fake VIP
// addresses) against a GoBGP router on loopback: the VIP is announced,
// drain-node withdraws it and undrain-node brings it back, and on
// shutdown the route is gone while the daemon still waits its grace.
func TestDaemonAnnouncesOverBGP(t *testing.T) {
	port, routes := loopbackRouter(t)
	d, _ := fakeDeps(t)
	d.vips = func(log *slog.Logger) reconcile.VIPManager {
		return reconcile.NewVIPs(kerneltest.NewAddresses("eth1"), log)
	}
	dir := writeConfig(t, map[string]string{
		"node.yaml": fmt.Sprintf("node:\n  name: lb1\n  interface: eth1\n  scope: {prefixes: [192.0.2.0/24]}\n"+
			"  bgp: {asn: 65001, router_id: 127.0.0.1, announce: [192.0.2.0/24], shutdown_grace: 1s,\n"+
			"        peers: [{address: 127.0.0.1, port: %d, asn: 65000, hold_time: 3s}]}\n", port),
		"web.yaml": webFile(1),
	})
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs, done := &syncBuffer{}, make(chan int, 1)
	go func() {
		done <- runDaemon(ctx, d, make(chan os.Signal), []string{"--config-dir", dir, "--control-socket", socket, "--metrics-address", "off"}, logs, logs)
	}()
	defer func() {
		if t.Failed() {
			t.Logf("daemon log:\n%s", logs.String())
		}
	}()
	announced := func() bool { r := routes(); return len(r) == 1 && r[0] == "192.0.2.10/32" }
	testenv.Eventually(t, 20*time.Second, announced, "the router to receive 192.0.2.10/32")
	eventually(t, "the control socket", func() bool { return ctl(socket, "status") == nil })
	if err := NewClient(socket).DrainNode(); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 20*time.Second, func() bool { return len(routes()) == 0 }, "drain-node to withdraw the route")
	if err := NewClient(socket).UndrainNode(); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 20*time.Second, announced, "undrain-node to announce the route again")

	cancel() // as SIGTERM does
	testenv.Eventually(t, 20*time.Second, func() bool { return len(routes()) == 0 }, "the route withdrawn on shutdown")
	select {
	case <-done:
		t.Fatal("the daemon returned before the router saw the withdrawal, or within its 1 s grace")
	default:
	}
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("exit code %d", code)
		}
	case <-time.After(20 * time.Second): // a hang guard
		t.Fatal("the daemon still runs 20 s after shutdown began")
	}
}
