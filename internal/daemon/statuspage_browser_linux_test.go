package daemon

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testenv"
	"github.com/seesaw-lb/seesaw/kernel"
)

// pageState is what the rendered page shows, read from the DOM.
type pageState struct {
	Marker   string `json:"marker"`
	Node     string `json:"node"`
	VRRP     string `json:"vrrp"`
	Services []struct {
		Name     string `json:"name"`
		State    string `json:"state"`
		Backends []struct {
			Address string `json:"address"`
			State   string `json:"state"`
			Health  string `json:"health"`
			Check   string `json:"check"`
			Color   string `json:"color"`
			Active  string `json:"active"`
		} `json:"backends"`
	} `json:"services"`
}

// pageStateJS reads pageState from the DOM, with each backend row's
// computed background colour.
const pageStateJS = `({
  marker: window.seesawTestMarker || "",
  node: document.getElementById("node").textContent,
  vrrp: document.getElementById("vrrp").dataset.state || "",
  services: [...document.querySelectorAll("table.service")].map((t) => ({
    name: t.dataset.service,
    state: t.querySelector("caption [data-state]").dataset.state,
    backends: [...t.querySelectorAll("tr.backend")].map((r) => ({
      address: r.dataset.backend,
      state: r.dataset.state,
      health: r.querySelector(".health").textContent,
      check: r.querySelector(".check").textContent,
      color: getComputedStyle(r).backgroundColor,
      active: (r.querySelector(".active") || {}).textContent || "",
    })),
  })),
})`

// rows maps "service backend" to the row's state and colour class
// ("state red" for a red row, "state green", "state amber" or "state other").
func (p pageState) rows() map[string]string {
	out := map[string]string{}
	for _, s := range p.Services {
		out[s.Name] = s.State
		for _, b := range s.Backends {
			out[s.Name+" "+b.Address] = b.State + " " + hue(b.Color)
		}
	}
	return out
}

// hue names the dominant colour of a CSS rgb() value.
func hue(css string) string {
	var r, g, b int
	if _, err := fmt.Sscanf(css, "rgb(%d, %d, %d)", &r, &g, &b); err != nil {
		return "unparsed " + css
	}
	switch {
	case r > g+40 && r > b+40 && g < 0xd0:
		return "red"
	case g > r+20 && g > b+20:
		return "green"
	case r > b+60 && g > b+30:
		return "amber"
	}
	return "other"
}

// browserConfig is two services with tcp-checked loopback backends.
func browserConfig(ports [4]uint16) map[string]string {
	svc := "  - name: %s\n    vip: %s\n    ports: [{proto: tcp, port: 80}]\n    forward: nat\n" +
		"    watermarks: {low: 0.1, high: 0.2}\n" +
		"    checks: [{type: tcp, interval: 100ms, timeout: 80ms, fall: 2, rise: 1}]\n" +
		"    backends: [{address: %s, port: %d}, {address: %s, port: %d}]\n"
	return map[string]string{
		"node.yaml": "node: {name: lb-page, interface: eth1, scope: {prefixes: [192.0.2.0/24]}}\n",
		"services.yaml": "services:\n" + fmt.Sprintf(svc, "web", "192.0.2.10", "127.0.0.2", ports[0], "127.0.0.3", ports[1]) +
			fmt.Sprintf(svc, "api", "192.0.2.11", "127.0.0.4", ports[2], "127.0.0.5", ports[3]),
	}
}

// TestStatusPageInChromium runs the daemon (fake kernel, real checks of
// loopback listeners), opens its status page in headless Chromium and reads
// the rendered DOM over the DevTools protocol: every service and backend
// with its state; then a backend's listener closes and its row turns red
// while the page stays loaded (a window variable set before survives).
func TestStatusPageInChromium(t *testing.T) {
	testenv.RequireNetNS(t, "chromium")
	web1, p1 := loopbackServer(t, "127.0.0.2")
	_, p2 := loopbackServer(t, "127.0.0.3")
	_, p3 := loopbackServer(t, "127.0.0.4")
	_, p4 := loopbackServer(t, "127.0.0.5")
	d, _ := fakeDeps(t)
	open := d.openKernel
	d.openKernel = func() (kernel.IPVS, error) { k, err := open(); return &countedStats{IPVS: k}, err }
	dir := writeConfig(t, browserConfig([4]uint16{p1, p2, p3, p4}))
	socket, _ := startDaemon(t, d, dir)
	b := func(addr string, port uint16) string { return fmt.Sprintf("%s:%d", addr, port) }
	drained := b("127.0.0.5", p4)
	if err := ctl(socket, "drain", drained); err != nil {
		t.Fatalf("drain: %v", err)
	}
	eventually(t, "every check passed once", func() bool {
		for _, s := range statusOf(t, socket).Services {
			for _, bk := range s.Backends {
				if bk.LastCheck != "ok" {
					return false
				}
			}
		}
		return true
	})

	page := openInChromium(t, statusPageURL(t, socket))
	want := map[string]string{
		"web": "up", "web " + b("127.0.0.2", p1): "up green", "web " + b("127.0.0.3", p2): "up green",
		"api": "up", "api " + b("127.0.0.4", p3): "up green", "api " + drained: "drained amber",
	}
	st := waitForPage(t, page, "every service and backend rendered", func(p pageState) bool { return sameRows(p.rows(), want) })
	if st.Node != "lb-page" || st.VRRP != "standalone" {
		t.Fatalf("page header: node %q vrrp %q", st.Node, st.VRRP)
	}
	// Each row shows its backend's active connections (countedStats: 10
	// for the first destination of a service, 20 for the second).
	for _, s := range st.Services {
		for i, bk := range s.Backends {
			if want := fmt.Sprint(10 * (i + 1)); bk.Active != want {
				t.Errorf("%s %s: active connections %q on the page, want %s", s.Name, bk.Address, bk.Active, want)
			}
		}
	}
	const marker = "set before the backend stopped"
	waitForEval(t, page, "the marker set", `window.seesawTestMarker = "`+marker+`"`, func(v string) bool { return v == marker })

	web1.Close() // its checks fail: down after fall failures
	want["web "+b("127.0.0.2", p1)] = "down red"
	st = waitForPage(t, page, "the stopped backend's row red", func(p pageState) bool { return sameRows(p.rows(), want) })
	if st.Marker != marker {
		t.Fatalf("the page was reloaded: window.seesawTestMarker is %q", st.Marker)
	}
	var health, check string
	for _, s := range st.Services {
		for _, bk := range s.Backends {
			if bk.Address == b("127.0.0.2", p1) {
				health, check = bk.Health, bk.Check
			}
		}
	}
	if health != "DOWN" || !strings.Contains(check, b("127.0.0.2", p1)) {
		t.Fatalf("the stopped backend's row: health %q last check %q", health, check)
	}
}

// statusPageURL waits (at most 10 s) until the daemon on socket reports
// its metrics listener's address, which it learns after the control socket
// answers, and returns the status page's URL.
func statusPageURL(t *testing.T, socket string) string {
	t.Helper()
	var addr string
	eventually(t, "the daemon's metrics address in its status", func() bool {
		addr = statusOf(t, socket).Metrics
		return addr != ""
	})
	return "http://" + addr + "/"
}

// waitForPage polls the page's DOM (at most 30 s) until cond holds.
func waitForPage(t *testing.T, c *cdpConn, what string, cond func(pageState) bool) pageState {
	t.Helper()
	return waitForEval(t, c, what, pageStateJS, cond)
}

// waitForEval evaluates expr in the page every 100 ms (at most 30 s, an
// evaluation that gets no answer ending after 10 s more) until cond holds
// for its value. On timeout it fails with the last value read, the last
// failed evaluation and what the page shows.
func waitForEval[T any](t *testing.T, c *cdpConn, what, expr string, cond func(T) bool) T {
	t.Helper()
	var v T
	var failed error
	n, err := poll(30*time.Second, 100*time.Millisecond, nil, func() error {
		var got T
		if err := c.eval(expr, &got); err != nil {
			failed = err
			return err
		}
		if v = got; !cond(v) {
			return errNotYet
		}
		return nil
	})
	if err != nil {
		t.Fatalf("timed out after %d reads in 30 s waiting for %s: last value %+v (last failed read: %v); the page shows %s",
			n, what, v, failed, c.describe())
	}
	return v
}

// errNotYet is what waitForEval's reads return while the value does not
// satisfy the condition.
var errNotYet = errors.New("condition not met")

func sameRows(got, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}
