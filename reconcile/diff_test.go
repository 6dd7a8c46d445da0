package reconcile

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/kernel"
)

// everyKindYAML exercises every setting the kernel normalizes on readback.
const everyKindYAML = `
  - name: web
    vip: 192.0.2.10
    ports: [{proto: tcp, port: 80}, {proto: tcp, port: 443}]
    scheduler: wrr
    forward: dr
    persistence: {timeout: 300s, netmask: 24}
    backends:
      - {address: 198.51.100.21, weight: 10, upper_threshold: 100, lower_threshold: 50}
      - {address: 198.51.100.22, weight: 10, enabled: false}
  - name: syslog
    vip: 192.0.2.11
    ports: [{proto: udp, port: 514}]
    scheduler: sh
    scheduler_flags: [sh-fallback, sh-port]
    one_packet: true
    backends: [{address: 198.51.100.41, port: 5514}]
  - name: tun
    vip: 192.0.2.12
    ports: [{proto: tcp, port: 80}]
    forward: tunnel
    tunnel: {type: gue, port: 6080, checksum: csum}
    backends: [{address: 198.51.100.51}]
  - name: plain
    vip: 192.0.2.13
    ports: [{proto: sctp, port: 9}]
    persistence: {timeout: 60s}
    backends: [{address: 198.51.100.61}]
`

func TestDiffRestartIsZeroOps(t *testing.T) {
	cfg := services(t, everyKindYAML)
	_, c := fakeWith(t)
	first := converge(t, c, cfg, nil)
	if first.Count()[kernel.AddService] != 5 {
		t.Fatalf("first plan:\n%s", planText(t, first))
	}
	again := diff(snapshot(t, c), effective(cfg, nil, true, nil), scopeOf(cfg))
	if !again.Empty() {
		t.Fatalf("unchanged config after apply gives a plan:\n%s", planText(t, again))
	}
}

func TestDiffMinimalOps(t *testing.T) {
	base := services(t, everyKindYAML)
	cases := []struct {
		name, from, to string
		want           string
	}{
		{"scheduler", "    forward: tunnel\n", "    scheduler: lc\n    forward: tunnel\n",
			"~ service tcp/192.0.2.12:80 scheduler wlc -> lc\n"},
		{"scheduler flags", "[sh-fallback, sh-port]", "[sh-port]",
			"~ service udp/192.0.2.11:514 flags one-packet,sched-fallback,sched-port -> one-packet,sched-port\n"},
		{"persistence timeout", "timeout: 60s}", "timeout: 90s}",
			"~ service sctp/192.0.2.13:9 persistent 60s/32 -> 90s/32\n"},
		{"weight", "address: 198.51.100.21, weight: 10,", "address: 198.51.100.21, weight: 5,",
			"~ destination 198.51.100.21:80 in tcp/192.0.2.10:80 weight 10 -> 5\n" +
				"~ destination 198.51.100.21:443 in tcp/192.0.2.10:443 weight 10 -> 5\n"},
		{"forwarding", "ports: [{proto: sctp, port: 9}]\n", "ports: [{proto: sctp, port: 9}]\n    forward: dr\n",
			"~ destination 198.51.100.61:9 in sctp/192.0.2.13:9 forward nat -> dr\n"},
		{"destination port is identity", "port: 5514}", "port: 5515}",
			"+ destination 198.51.100.41:5515 in udp/192.0.2.11:514 weight 1 forward nat\n" +
				"- destination 198.51.100.41:5514 from udp/192.0.2.11:514 (not in config)\n"},
		{"service port is identity", "port: 9}", "port: 10}",
			"+ service sctp/192.0.2.13:10 wlc persistent 60s/32\n" +
				"+ destination 198.51.100.61:10 in sctp/192.0.2.13:10 weight 1 forward nat\n" +
				"- service sctp/192.0.2.13:9\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, c := fakeWith(t)
			converge(t, c, base, nil)
			if !strings.Contains(everyKindYAML, tc.from) {
				t.Fatalf("test edit %q not found", tc.from)
			}
			cfg := services(t, strings.Replace(everyKindYAML, tc.from, tc.to, 1))
			p := diff(snapshot(t, c), effective(cfg, nil, true, nil), scopeOf(cfg))
			got := planText(t, p)
			if i := strings.LastIndex(got, "Plan:"); i >= 0 {
				got = got[:i]
			}
			if got != tc.want {
				t.Fatalf("plan:\n%s\nwant:\n%s", got, tc.want)
			}
			mustApply(t, c, p.Ops())
			if again := diff(snapshot(t, c), effective(cfg, nil, true, nil), scopeOf(cfg)); !again.Empty() {
				t.Fatalf("not converged after applying:\n%s", planText(t, again))
			}
		})
	}
}

func TestDiffScope(t *testing.T) {
	cfg := services(t, webYAML)
	outside := kernel.NewServiceKey(kernel.TCP, netip.MustParseAddr("203.0.113.5"), 80)
	inside := kernel.NewServiceKey(kernel.TCP, netip.MustParseAddr("192.0.2.99"), 80)
	d := kernel.NewDestinationKey(netip.MustParseAddr("198.51.100.99"), 80)
	_, c := fakeWith(t,
		kernel.Op{Kind: kernel.AddService, Service: outside, ServiceConfig: kernel.ServiceConfig{Scheduler: "rr"}},
		kernel.Op{Kind: kernel.AddDestination, Service: outside, Destination: d, DestinationConfig: kernel.DestinationConfig{Weight: 1}},
		kernel.Op{Kind: kernel.AddService, Service: inside, ServiceConfig: kernel.ServiceConfig{Scheduler: "rr"}},
	)
	p := converge(t, c, cfg, nil)
	if p.Owned != 1 || p.Count()[kernel.DeleteService] != 1 || p.Steps[len(p.Steps)-1].Op.Service != inside {
		t.Fatalf("plan:\n%s", planText(t, p))
	}
	live := snapshot(t, c)
	if _, ok := live.Service(outside); !ok {
		t.Fatal("service outside the scope was deleted")
	}
	if _, ok := live.Service(inside); ok {
		t.Fatal("unnamed service inside the scope survived")
	}
	// An empty scope owns everything.
	all := diff(live, effective(cfg, nil, true, nil), tableScope{})
	if all.Count()[kernel.DeleteService] != 1 || all.Steps[0].Op.Service != outside {
		t.Fatalf("whole-table plan:\n%s", planText(t, all))
	}
}

func TestDiffOrderAndDeterminism(t *testing.T) {
	_, c := fakeWith(t)
	old := services(t, webYAML)
	converge(t, c, old, nil)
	cfg := services(t, `
  - name: api
    vip: 192.0.2.11
    ports: [{proto: tcp, port: 8080}]
    backends: [{address: 198.51.100.31}]
  - name: web
    vip: 192.0.2.10
    ports: [{proto: tcp, port: 80}]
    scheduler: wrr
    forward: dr
    persistence: {timeout: 300s}
    backends:
      - {address: 198.51.100.21, weight: 10}
      - {address: 198.51.100.24, weight: 10}
`)
	live := snapshot(t, c)
	p := diff(live, effective(cfg, nil, true, nil), scopeOf(cfg))
	want := `+ service tcp/192.0.2.11:8080 wlc
+ destination 198.51.100.24:80 in tcp/192.0.2.10:80 weight 10 forward dr
+ destination 198.51.100.31:8080 in tcp/192.0.2.11:8080 weight 1 forward nat
- destination 198.51.100.22:80 from tcp/192.0.2.10:80 (not in config)
- destination 198.51.100.23:80 from tcp/192.0.2.10:80 (not in config)
- service tcp/192.0.2.10:443
Plan: services 1 to add, 0 to change, 1 to delete; destinations 2 to add, 0 to change, 2 to delete.
`
	got := planText(t, p)
	if got != want {
		t.Fatalf("plan:\n%s\nwant:\n%s", got, want)
	}
	for range 5 {
		if again := planText(t, diff(live, effective(cfg, nil, true, nil), scopeOf(cfg))); again != got {
			t.Fatalf("plan differs between runs:\n%s", again)
		}
	}
}

func TestDiffRestartIsZeroOpsIPv6AndFwmark(t *testing.T) {
	cfg := config(t, "node.yaml", "node: {name: lb1, interface: eth1, scope: {prefixes: [2001:db8:10::/64], fwmarks: [100-199]}}\n",
		"svc.yaml", `services:
  - name: web6
    vip: 2001:db8:10::10
    ports: [{proto: tcp, port: 80}]
    persistence: {timeout: 120s, netmask: 64}
    backends: [{address: 2001:db8:20::21, weight: 3}]
  - name: mark
    fwmark: 100
    ports: [{proto: tcp, port: 80}]
    forward: dr
    backends: [{address: 198.51.100.21}]
  - name: mark6
    fwmark: 101
    family: ipv6
    backends: [{address: 2001:db8:20::22, port: 8080}]
`)
	_, c := fakeWith(t)
	if p := converge(t, c, cfg, nil); p.Count()[kernel.AddService] != 3 {
		t.Fatalf("first plan:\n%s", planText(t, p))
	}
	if again := diff(snapshot(t, c), effective(cfg, nil, true, nil), scopeOf(cfg)); !again.Empty() {
		t.Fatalf("unchanged config after apply gives a plan:\n%s", planText(t, again))
	}
}
