package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/daemon"
)

// TestRenderBGP prints the sessions and the route verdicts.
func TestRenderBGP(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var b bytes.Buffer
	renderBGP(&b, &daemon.BGPReport{Running: true,
		Peers: []daemon.BGPPeerReport{{Address: "203.0.113.254", ASN: 65000, State: "established", Up: true,
			Since: now.Add(-90 * time.Second), Advertised: 1}},
		Routes: []daemon.BGPRouteReport{{Prefix: "192.0.2.10/32", Announced: true, Reason: "announced", Up: 1, Services: 1},
			{Prefix: "192.0.2.20/32", Reason: "no service of the VIP is up with a healthy backend", Services: 2}}}, now)
	want := `
bgp running
PEER           ASN    STATE        UP FOR  RECEIVED  ADVERTISED
203.0.113.254  65000  established  1m30s   0         1

ROUTE          ANNOUNCED  SERVICES UP  WHY
192.0.2.10/32  true       1/1          announced
192.0.2.20/32  false      0/2          no service of the VIP is up with a healthy backend
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	renderBGP(&b, nil, now)
	if b.Len() != 0 {
		t.Errorf("a node without node.bgp prints %q", b.String())
	}
}
