package desired

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSemanticErrors covers the cross-key and cross-file rules.
func TestSemanticErrors(t *testing.T) {
	dsrNode := nodeYAML + "  check_fwmarks: 60000-60001\n"
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"dsr check on nat service", map[string]string{"node.yaml": dsrNode,
			"web.yaml": webWithCheck("{type: tcp, mode: dsr}")},
			[]string{"web.yaml:6:9: services[0].checks[0].mode: a dsr check needs forward: dr, the service forwards with nat"}},
		{"dsr check without check_fwmarks", map[string]string{"node.yaml": nodeYAML,
			"web.yaml": strings.Replace(webWithCheck("{type: tcp, mode: dsr}"), "    checks", "    forward: dr\n    checks", 1)},
			[]string{"web.yaml:7:9: mode: dsr and tunnel checks need node.check_fwmarks (a range of marks for check services)"}},
		{"too few marks", map[string]string{"node.yaml": dsrNode,
			"web.yaml": "services:\n  - name: web\n    vip: 192.0.2.10\n    forward: dr\n    ports: [{proto: tcp, port: 80}]\n    checks: [{type: http, mode: dsr}]\n    backends: [{address: 198.51.100.1}, {address: 198.51.100.2}, {address: 198.51.100.3}]\n"},
			[]string{"node.yaml:2:3: node.check_fwmarks: 60000-60001 holds 2 marks but dsr/tunnel checks need 3 (one per backend and forwarding method)"}},
		{"too few marks: one backend behind an ipv4 and an ipv6 vip needs two", map[string]string{"node.yaml": dsrNode,
			"web.yaml": "services:\n  - name: v4\n    vip: 192.0.2.10\n    forward: tunnel\n    ports: [{proto: tcp, port: 80}]\n    checks: [{type: tcp, mode: tunnel}]\n    backends: [{address: 198.51.100.1}, {address: 198.51.100.2}]\n" +
				"  - name: v6\n    vip: 2001:db8::10\n    forward: tunnel\n    ports: [{proto: tcp, port: 80}]\n    checks: [{type: tcp, mode: tunnel}]\n    backends: [{address: 198.51.100.1}]\n"},
			[]string{"node.yaml:2:3: node.check_fwmarks: 60000-60001 holds 2 marks but dsr/tunnel checks need 3 (one per backend and forwarding method)"}},
		{"dsr check on a nat backend of a dr service", map[string]string{"node.yaml": dsrNode,
			"web.yaml": "services:\n  - name: web\n    vip: 192.0.2.10\n    forward: dr\n    ports: [{proto: tcp, port: 80}]\n    checks: [{type: tcp, mode: dsr}]\n    backends: [{address: 198.51.100.1, forward: nat}]\n"},
			[]string{"web.yaml:6:14: services[0].checks[0].mode: a dsr check needs dr forwarding, backend 198.51.100.1 uses nat"}},
		{"check fwmarks overlap an fwmark service", map[string]string{"node.yaml": dsrNode,
			"fw.yaml": "services:\n  - name: fw\n    fwmark: 60001\n    ports: [{proto: tcp, port: 80}]\n"},
			[]string{"fw.yaml:2:5: services[0].fwmark: fwmark 60001 lies in node.check_fwmarks 60000-60001, reserved for check services"}},
		{"unknown shared check", map[string]string{"node.yaml": nodeYAML, "web.yaml": webWithCheck("web-http")},
			[]string{`web.yaml:6:9: services[0].checks[0]: no shared check named "web-http"`}},
		{"option of another type", map[string]string{"node.yaml": nodeYAML, "web.yaml": webWithCheck("{type: tcp, path: /x, expect: {status: [200]}}")},
			[]string{`web.yaml:6:27: services[0].checks[0].path: a tcp check has no "path"`,
				"web.yaml:6:40: services[0].checks[0].expect.status: a tcp check has no expect.status"}},
		{"half-open check that sends", map[string]string{"node.yaml": nodeYAML, "web.yaml": webWithCheck("{type: tcp, half_open: true, send: x}")},
			[]string{"web.yaml:6:32: services[0].checks[0].half_open: a half-open tcp check only sees the handshake: it cannot send or expect"}},
		{"half-open on another type", map[string]string{"node.yaml": nodeYAML, "web.yaml": webWithCheck("{type: http, half_open: true}")},
			[]string{`web.yaml:6:33: services[0].checks[0].half_open: a http check has no "half_open"`}},
		{"half-open dsr check", map[string]string{"node.yaml": dsrNode,
			"web.yaml": strings.Replace(webWithCheck("{type: tcp, mode: dsr, half_open: true}"), "    checks", "    forward: dr\n    checks", 1)},
			[]string{"web.yaml:7:43: services[0].checks[0].half_open: a half-open check must be plain: dsr checks connect through IPVS"}},
		{"timeout above interval", map[string]string{"node.yaml": nodeYAML, "web.yaml": webWithCheck("{type: tcp, interval: 1s, timeout: 2s}")},
			[]string{"web.yaml:6:44: services[0].checks[0].timeout: timeout 2s is longer than interval 1s"}},
		{"sh flags on wrr", map[string]string{"node.yaml": nodeYAML, "web.yaml": "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n    scheduler_flags: [sh-port]\n"},
			[]string{"web.yaml:5:22: services[0].scheduler_flags: scheduler wlc takes no flags (only sh and mh do)"}},
		{"gue without port", map[string]string{"node.yaml": nodeYAML, "web.yaml": "services:\n  - name: web\n    vip: 192.0.2.10\n    forward: tunnel\n    tunnel: {type: gue}\n    ports: [{proto: tcp, port: 80}]\n"},
			[]string{"web.yaml:5:13: services[0].tunnel.port: missing: gue needs the destination UDP port"}},
		{"vrrp peer family", map[string]string{"node.yaml": nodeYAML + "  vrrp: {vrid: 1, peers: [2001:db8::2]}\n"},
			[]string{"node.yaml:4:27: node.vrrp.peers[0]: peer 2001:db8::2 is not of the VRRP family (ipv4; set ipv6: true)"}},
		{"tracked service missing", map[string]string{"node.yaml": nodeYAML + "  vrrp: {vrid: 1, track: {services: [{name: web, decrement: 50}]}}\n"},
			[]string{`node.yaml:2:3: node.vrrp.track.services[0].name: no service named "web"`}},
		{"17 peers for the sender process", map[string]string{"node.yaml": nodeYAML + "  vrrp: {vrid: 1, peers: [192.0.2.101, 192.0.2.102, 192.0.2.103, 192.0.2.104, 192.0.2.105, 192.0.2.106, 192.0.2.107, 192.0.2.108, 192.0.2.109, 192.0.2.110, 192.0.2.111, 192.0.2.112, 192.0.2.113, 192.0.2.114, 192.0.2.115, 192.0.2.116, 192.0.2.117]}\n"},
			[]string{"node.yaml:4:26: node.vrrp.peers: 17 peers: the advert sender process sends to at most 16; set advert_sender: thread for more"}},
		{"kernel_timed_adverts not a bool", map[string]string{"node.yaml": nodeYAML + "  vrrp: {vrid: 1, kernel_timed_adverts: soon}\n"},
			[]string{`node.yaml:4:41: node.vrrp.kernel_timed_adverts: want true or false, got "soon"`}},
		{"accept_mode removed", map[string]string{"node.yaml": nodeYAML + "  vrrp: {vrid: 1, accept_mode: true}\n"},
			[]string{"node.yaml:4:32: node.vrrp.accept_mode: removed: a seesaw master always accepts traffic to its VIPs: " +
				"they are local addresses, which IPVS needs to receive the packets it balances (RFC 9568 Accept_Mode off would drop them); delete the key"}},
		{"garp settings out of range", map[string]string{"node.yaml": nodeYAML +
			"  vrrp: {vrid: 1, garp_master_repeat: 0, garp_interval: 2s, garp_master_delay: 5, garp_master_refresh: 500ms}\n"},
			[]string{"node.yaml:4:39: node.vrrp.garp_master_repeat: 0 is out of range 1..100",
				"node.yaml:4:57: node.vrrp.garp_interval: 2s is longer than the maximum 1s",
				"node.yaml:4:80: node.vrrp.garp_master_delay: duration 5 has no unit; write e.g. 5s or 5ms",
				"node.yaml:4:104: node.vrrp.garp_master_refresh: 500ms is shorter than the minimum 1s (0s: no refresh)"}},
		{"advert interval not in centiseconds", map[string]string{"node.yaml": nodeYAML + "  vrrp: {vrid: 1, advert_interval: 15ms}\n"},
			[]string{"node.yaml:4:36: node.vrrp.advert_interval: 15ms is not a multiple of 10ms from 10ms to 40.95s"}},
		{"duplicate backend", map[string]string{"node.yaml": nodeYAML, "web.yaml": "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n    backends:\n      - address: 198.51.100.1\n      - address: 198.51.100.1\n"},
			[]string{"web.yaml:7:9: services[0].backends[1]: backend 198.51.100.1 is listed twice (first at line 6)"}},
		{"vip service without ports", map[string]string{"node.yaml": nodeYAML, "web.yaml": "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: []\n  - name: api\n    vip: 192.0.2.11\n"},
			[]string{"web.yaml:4:12: services[0].ports: missing: a vip service needs at least one port (or an fwmark)",
				"web.yaml:5:5: services[1].ports: missing: a vip service needs at least one port (or an fwmark)"}},
		{"neither vip nor fwmark", map[string]string{"node.yaml": nodeYAML, "web.yaml": "services:\n  - name: web\n    ports: [{proto: tcp, port: 80}]\n"},
			[]string{"web.yaml:2:5: services[0].vip: missing: a service needs a vip or an fwmark"}},
		{"service interface not on node", map[string]string{"node.yaml": nodeYAML, "web.yaml": "services:\n  - name: web\n    vip: 192.0.2.10\n    interface: eth9\n    ports: [{proto: tcp, port: 80}]\n"},
			[]string{`web.yaml:2:5: services[0].interface: "eth9" is not one of the node's interfaces [eth1]`}},
		{"node not a mapping", map[string]string{"node.yaml": "node:\n"},
			[]string{"node.yaml:1:6: node: want a mapping, got null"}},
		{"use with overrides", map[string]string{"node.yaml": nodeYAML, "web.yaml": webWithCheck("{use: hz, port: 8080}")},
			[]string{"web.yaml:6:9: services[0].checks[0].use: a reference to a shared check takes no other keys (declare another shared check instead)"}},
		{"aliases rejected", map[string]string{"node.yaml": nodeYAML, "web.yaml": "services:\n  - &w {name: web, vip: 192.0.2.10, ports: [{proto: tcp, port: 80}]}\n  - *w\n"},
			[]string{"web.yaml:2:5: services[0]: YAML anchors are not supported; write the value out",
				"web.yaml:3:5: services[1]: YAML aliases are not supported; write the value out"}},
		{"two documents", map[string]string{"node.yaml": nodeYAML + "---\nservices: []\n"},
			[]string{"node.yaml:4: malformed YAML: only one YAML document per file (remove the second ---)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := loadErrors(t, writeDir(t, tc.files))
			if !slices.Equal(got, tc.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", join(got), join(tc.want))
			}
		})
	}
}

// TestSharedChecksAndDefaults: a shared check is resolved into each service
// that uses it (by name or `use:`), and defaults are filled.
func TestSharedChecksAndDefaults(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML,
		"checks.yaml": "checks:\n  - {name: hz, type: http, path: /healthz}\n",
		"web.yaml": "services:\n  - name: a\n    vip: 192.0.2.1\n    ports: [{proto: tcp, port: 80}]\n    checks: [hz]\n" +
			"  - name: b\n    vip: 192.0.2.2\n    ports: [{proto: tcp, port: 80}]\n    checks: [{use: hz}, {type: icmp}]\n    backends: [{address: 198.51.100.1}]\n"})
	cfg := mustLoad(t, dir)
	if len(cfg.Checks) != 1 || cfg.Checks[0].Name != "hz" {
		t.Fatalf("shared checks %+v", cfg.Checks)
	}
	a, b := cfg.Services[0], cfg.Services[1]
	if len(a.Checks) != 1 || a.Checks[0].HTTP.Path != "/healthz" || a.Checks[0].HTTP.Method != "GET" {
		t.Errorf("a's check %+v", a.Checks)
	}
	if len(b.Checks) != 2 || b.Checks[0].Type != CheckHTTP || b.Checks[1].Type != CheckICMP {
		t.Errorf("b's checks %+v", b.Checks)
	}
	if got := a.Checks[0].Source; got.File != "web.yaml" || got.Line != 5 {
		t.Errorf("resolved check source %+v, want the reference in web.yaml:5", got)
	}
	c := b.Checks[1]
	want := Check{Type: CheckICMP, Mode: ModePlain, Interval: 2 * time.Second, Timeout: time.Second,
		FastInterval: 2 * time.Second, DownInterval: 2 * time.Second, Rise: 2, Fall: 3, InitialUp: true, Source: c.Source}
	if fmt.Sprintf("%+v", c) != fmt.Sprintf("%+v", want) {
		t.Errorf("icmp check defaults:\n%+v\nwant\n%+v", c, want)
	}
	be := b.Backends[0]
	if be.Weight != 1 || !be.Enabled || be.Forward != ForwardNAT {
		t.Errorf("backend defaults %+v", be)
	}
	if b.Scheduler != "wlc" || b.Interface != "eth1" || b.OnUnhealthy != Drain || b.DrainTimeout != time.Minute {
		t.Errorf("service defaults %+v", b)
	}
}

// TestSecretsNeverPrinted: secrets read from files are usable but redacted
// in fmt, JSON and slog output.
func TestSecretsNeverPrinted(t *testing.T) {
	const pw, sec = "hunter2-pw", "s3cr3t-shared"
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML, "pw": pw + "\n", "secret": sec,
		"radius.yaml": webWithCheck("{type: radius, port: 1812, user: probe, password_file: pw, secret_file: secret}")})
	cfg := mustLoad(t, dir)
	r := cfg.Services[0].Checks[0].RADIUS
	if r.Password.Value() != pw || r.Secret.Value() != sec {
		t.Fatalf("secrets not read: %d, %d bytes", len(r.Password.Value()), len(r.Secret.Value()))
	}
	js, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "check", r, "secret", r.Secret)
	for _, out := range []string{fmt.Sprintf("%v %+v %#v %s %q", cfg, cfg, cfg, r.Secret, r.Secret), string(js), logged.String()} {
		if strings.Contains(out, pw) || strings.Contains(out, sec) {
			t.Errorf("secret printed: %s", out)
		}
		if !strings.Contains(out, "[redacted]") {
			t.Errorf("no redaction marker in %.200s", out)
		}
	}
}

// TestFwmarkAndIPv6Service: an fwmark service without VIP takes its family
// from `family`, and an IPv6 VIP service with tunnel forwarding may mix
// backend families.
func TestFwmarkAndIPv6Service(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML + "  scope: {fwmarks: [100-199], prefixes: [2001:db8:10::/64]}\n",
		"s.yaml": "services:\n  - name: fw\n    fwmark: 150\n    family: ipv6\n    backends: [{address: 2001:db8::1, port: 80}]\n" +
			"  - name: v6\n    vip: 2001:db8:10::1\n    forward: tunnel\n    ports: [{proto: tcp, port: 443}]\n    persistence: {netmask: 64}\n    backends: [{address: 198.51.100.1}, {address: 2001:db8::2}]\n"})
	cfg := mustLoad(t, dir)
	fw, v6 := cfg.Services[0], cfg.Services[1]
	if !fw.IPv6 || fw.Fwmark != 150 || fw.VIP.IsValid() {
		t.Errorf("fwmark service %+v", fw)
	}
	if !v6.IPv6 || v6.Tunnel.Type != TunnelIPIP || v6.Persistence.PrefixLen != 64 || v6.Persistence.Timeout != 300*time.Second {
		t.Errorf("ipv6 service %+v persistence %+v", v6, v6.Persistence)
	}
}

// TestLargeMappingIsLinear: a mapping with very many keys (here HTTP
// headers, the one open-ended mapping) is checked for duplicates in linear
// time, and each duplicate is reported.
func TestLargeMappingIsLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString("{type: http, headers: {")
	for i := range 50000 {
		fmt.Fprintf(&b, "X-H%d: v, ", i)
	}
	b.WriteString("X-H7: dup}}")
	got := loadErrors(t, writeDir(t, map[string]string{"node.yaml": nodeYAML, "web.yaml": webWithCheck(b.String())}))
	if len(got) != 1 || !strings.Contains(got[0], `services[0].checks[0].headers.X-H7: duplicate key "X-H7"`) {
		t.Errorf("errors %q", got)
	}
}

// TestDuplicatePorts: a port listed twice is reported at its second place.
func TestDuplicatePorts(t *testing.T) {
	got := loadErrors(t, writeDir(t, map[string]string{"node.yaml": nodeYAML,
		"web.yaml": "services:\n  - name: web\n    vip: 192.0.2.10\n    ports:\n      - {proto: tcp, port: 443}\n      - {proto: tcp, port: 80}\n      - {proto: tcp, port: 443}\n"}))
	want := []string{"web.yaml:7:9: services[0].ports[2]: tcp/443 is listed twice"}
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", join(got), join(want))
	}
}

func TestKernelTimedAdvertsDecoded(t *testing.T) {
	for _, c := range []struct {
		yaml string
		want bool
	}{{"  vrrp: {vrid: 1}\n", false}, {"  vrrp: {vrid: 1, kernel_timed_adverts: true}\n", true}} {
		cfg := mustLoad(t, writeDir(t, map[string]string{"node.yaml": nodeYAML + c.yaml}))
		if got := cfg.Node.VRRP.KernelTimedAdverts; got != c.want {
			t.Errorf("%q: kernel_timed_adverts decoded as %t, want %t", c.yaml, got, c.want)
		}
	}
}

func TestGARPDecoded(t *testing.T) {
	for _, c := range []struct {
		yaml string
		want GARP
	}{
		{"  vrrp: {vrid: 1}\n", GARP{Repeat: 5, Delay: 5 * time.Second}},
		{"  vrrp: {vrid: 1, garp_master_repeat: 3, garp_interval: 100ms, garp_master_delay: 0s, garp_master_refresh: 60s}\n",
			GARP{Repeat: 3, Interval: 100 * time.Millisecond, Refresh: time.Minute}},
	} {
		cfg := mustLoad(t, writeDir(t, map[string]string{"node.yaml": nodeYAML + c.yaml}))
		if got := cfg.Node.VRRP.GARP; got != c.want {
			t.Errorf("%q: garp decoded as %+v, want %+v", c.yaml, got, c.want)
		}
	}
}

// TestManyPeersWithTheThread: more unicast peers than the advert sender
// process takes are valid with advert_sender: thread.
func TestManyPeersWithTheThread(t *testing.T) {
	var peers []string
	for i := range MaxSenderProcessPeers + 1 {
		peers = append(peers, fmt.Sprintf("192.0.2.%d", 101+i))
	}
	cfg := mustLoad(t, writeDir(t, map[string]string{"node.yaml": nodeYAML +
		"  vrrp: {vrid: 1, advert_sender: thread, peers: [" + strings.Join(peers, ", ") + "]}\n"}))
	if got := len(cfg.Node.VRRP.Peers); got != MaxSenderProcessPeers+1 {
		t.Fatalf("%d peers, want %d", got, MaxSenderProcessPeers+1)
	}
}
