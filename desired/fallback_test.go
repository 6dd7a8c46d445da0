package desired

import (
	"slices"
	"strings"
	"testing"
)

const fallbackService = `services:
  - name: web
    vip: 192.0.2.10
    forward: dr
    ports: [{proto: tcp, port: 80}]
    backends: [{address: 198.51.100.1}]
    fallback:
`

func TestFallbackDecodedWithDefaults(t *testing.T) {
	cfg := mustLoad(t, writeDir(t, map[string]string{"node.yaml": nodeYAML, "web.yaml": fallbackService +
		"      - {address: 198.51.100.99, weight: 5, idle: keep}\n" +
		"      - address: 198.51.100.98\n" +
		"        forward: nat\n" +
		"        port: 8080\n" +
		"        checks: [{type: http, path: /sorry, initial: down}]\n"}))
	fs := cfg.Services[0].Fallback
	if len(fs) != 2 {
		t.Fatalf("fallbacks = %+v", fs)
	}
	a, b := fs[0], fs[1] // sorted by address
	if a.Address.String() != "198.51.100.98" || a.Forward != ForwardNAT || a.Port != 8080 || a.Weight != DefaultWeight ||
		!a.Enabled || a.Idle != IdleDrain || len(a.Checks) != 1 {
		t.Errorf("first fallback = %+v", a)
	}
	if c := a.Checks[0]; c.Type != CheckHTTP || c.HTTP.Path != "/sorry" || c.InitialUp || c.Mode != ModePlain || c.Rise != DefaultCheckRise {
		t.Errorf("fallback check = %+v", c)
	}
	if b.Address.String() != "198.51.100.99" || b.Forward != ForwardDR || b.Weight != 5 || b.Idle != IdleKeep || len(b.Checks) != 0 {
		t.Errorf("second fallback = %+v", b)
	}
	if len(cfg.Services[0].Checks) != 0 {
		t.Errorf("a fallback's checks leaked into the service's: %+v", cfg.Services[0].Checks)
	}
}

func TestFallbackErrors(t *testing.T) {
	tests := []struct {
		name, fallback string
		want           []string // "LINE:COL: PATH: MESSAGE" suffixes of web.yaml errors
	}{
		{"same address as a backend", "      - {address: 198.51.100.1}\n",
			[]string{"8:9: services[0].fallback[0].address: 198.51.100.1 is also a backend of the service (line 6); a fallback must be another server"}},
		{"other family with dr", "      - {address: 2001:db8::99}\n",
			[]string{"8:9: services[0].fallback[0].address: 2001:db8::99 is ipv6 but the service is ipv4; only tunnel forwarding mixes families"}},
		{"port with dr", "      - {address: 198.51.100.99, port: 8080}\n",
			[]string{"8:9: services[0].fallback[0].port: dr forwarding cannot change the port; remove it or use nat"}},
		{"listed twice", "      - {address: 198.51.100.99}\n      - {address: 198.51.100.99}\n",
			[]string{"9:9: services[0].fallback[1]: fallback 198.51.100.99 is listed twice (first at line 8)"}},
		{"missing address", "      - {weight: 2}\n",
			[]string{"8:9: services[0].fallback[0].address: missing: every backend needs an address"}},
		{"unknown key", "      - {address: 198.51.100.99, backup: true}\n",
			[]string{`8:34: services[0].fallback[0].backup: unknown key "backup"`}},
		{"bad idle", "      - {address: 198.51.100.99, idle: never}\n",
			[]string{"8:40: services[0].fallback[0].idle:"}},
		{"duplicate idle", "      - {address: 198.51.100.99, idle: keep, idle: drain}\n",
			[]string{`8:46: services[0].fallback[0].idle: duplicate key "idle"`}},
		{"shared check", "      - {address: 198.51.100.99, checks: [web-http]}\n",
			[]string{"8:43: services[0].fallback[0].checks[0]: a fallback's checks are written inline (shared checks are for backends)"}},
		{"dsr check", "      - {address: 198.51.100.99, checks: [{type: tcp, mode: dsr}]}\n",
			[]string{"8:43: services[0].fallback[0].checks[0].mode: a fallback's checks dial the fallback itself: mode plain only"}},
		{"not a mapping", "      - 198.51.100.99\n",
			[]string{"8:9: services[0].fallback[0]: want a mapping, got"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeDir(t, map[string]string{"node.yaml": nodeYAML, "web.yaml": fallbackService + tc.fallback})
			got := loadErrors(t, dir)
			for _, w := range tc.want {
				if !slices.ContainsFunc(got, func(l string) bool { return strings.Contains(l, "web.yaml:"+w) }) {
					t.Errorf("want an error web.yaml:%s\ngot:\n%s", w, join(got))
				}
			}
		})
	}
}

func TestFallbackCheckNeedsAPort(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML, "fw.yaml": `services:
  - name: fw
    fwmark: 7
    backends: [{address: 198.51.100.1}]
    fallback: [{address: 198.51.100.99, checks: [{type: tcp}]}]
`})
	got := loadErrors(t, dir)
	want := "fw.yaml:5:50: services[0].fallback[0].checks[0].port: missing: the service has no ports and fallback 198.51.100.99 none, so the check needs a port"
	if !slices.ContainsFunc(got, func(l string) bool { return strings.Contains(l, want) }) {
		t.Errorf("want %s\ngot:\n%s", want, join(got))
	}
}
