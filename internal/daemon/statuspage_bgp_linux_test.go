package daemon

import (
	"strconv"
	"testing"

	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// bgpPageJS reads the BGP section of the status page.
const bgpPageJS = `({
  state: (document.getElementById("bgp-state") || {}).textContent || "",
  peers: [...document.querySelectorAll("#bgp-peers tr.peer")].map((r) => r.dataset.peer + " " + r.className),
  routes: [...document.querySelectorAll("#bgp-routes tr.route")].map((r) => r.dataset.route + " " + r.cells[1].textContent + " " + r.cells[3].textContent),
})`

type bgpPage struct {
	State  string   `json:"state"`
	Peers  []string `json:"peers"`
	Routes []string `json:"routes"`
}

// TestStatusPageShowsBGP: the page shows node.bgp's session (down: nobody
// listens on the peer's port) and the route verdict with its reason, and
// follows drain-node.
func TestStatusPageShowsBGP(t *testing.T) {
	testenv.RequireNetNS(t, "chromium")
	_, port := loopbackServer(t, "127.0.0.2")
	d, _ := fakeDeps(t)
	closed, closedPort := loopbackServer(t, "127.0.0.3")
	closed.Close() // nobody listens: the session stays down
	dir := writeConfig(t, map[string]string{
		"node.yaml": "node:\n  name: lb-page\n  interface: eth1\n  scope: {prefixes: [192.0.2.0/24]}\n" +
			"  bgp: {asn: 65001, router_id: 127.0.0.1, announce: [192.0.2.0/24], peers: [{address: 127.0.0.3, asn: 65000, port: " +
			strconv.Itoa(int(closedPort)) + "}]}\n",
		"web.yaml": "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n" +
			"    backends: [{address: 127.0.0.2, port: " + strconv.Itoa(int(port)) + "}]\n",
	})
	socket, _ := startDaemon(t, d, dir)
	page := openInChromium(t, statusPageURL(t, socket))
	read := func(what string, cond func(bgpPage) bool) bgpPage {
		t.Helper()
		return waitForEval(t, page, what, bgpPageJS, cond)
	}
	read("the BGP section", func(p bgpPage) bool {
		return p.State == "running" && len(p.Peers) == 1 && p.Peers[0] == "127.0.0.3 peer state-down" &&
			len(p.Routes) == 1 && p.Routes[0] == "192.0.2.10/32 withdrawn VIP not held by this node"
	})
	if err := NewClient(socket).DrainNode(); err != nil {
		t.Fatal(err)
	}
	read("drain-node on the page", func(p bgpPage) bool {
		return p.State == "drained by hand" && len(p.Routes) == 1 &&
			p.Routes[0] == "192.0.2.10/32 withdrawn node drained by hand (drain-node)"
	})
}
