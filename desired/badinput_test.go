package desired

import (
	"slices"
	"testing"
)

// TestBadInput loads broken configurations and asserts the exact error lines:
// file, line, column, field path and message.
func TestBadInput(t *testing.T) {
	svc := func(body string) map[string]string {
		return map[string]string{"node.yaml": nodeYAML, "web.yaml": body}
	}
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"malformed YAML unclosed mapping", svc("services:\n  - {name: web\n    vip: 192.0.2.10\n"),
			[]string{"web.yaml:2: malformed YAML: did not find expected ',' or '}'"}},
		{"malformed YAML", svc("services:\n  - name: web\n    vip: [192.0.2.10\n"),
			[]string{"web.yaml:3: malformed YAML: did not find expected ',' or ']'"}},
		{"tab indentation", svc("services:\n\t- name: web\n"),
			[]string{"web.yaml:2: malformed YAML: found character that cannot start any token"}},
		{"wrong type", svc("services:\n  - name: web\n    vip: 192.0.2.10\n    ports: 80\n"),
			[]string{"web.yaml:4:12: services[0].ports: want a list, got an integer"}},
		{"wrong type weight", svc(webWith("weight: ten")),
			[]string{`web.yaml:6:42: services[0].backends[0].weight: want an integer, got "ten"`}},
		{"unknown key", svc("services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n    schedular: wrr\n"),
			[]string{`web.yaml:5:5: services[0].schedular: unknown key "schedular"`}},
		{"duplicate key", svc("services:\n  - name: web\n    vip: 192.0.2.10\n    vip: 192.0.2.11\n    ports: [{proto: tcp, port: 80}]\n"),
			[]string{`web.yaml:4:5: services[0].vip: duplicate key "vip"`}},
		{"invalid IP", svc(webWith("weight: 1")[:0] + "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n    backends:\n      - {address: 198.51.100.21}\n      - {address: 198.51.100.300}\n"),
			[]string{`web.yaml:7:19: services[0].backends[1].address: "198.51.100.300" is not an IP address`}},
		{"invalid CIDR", map[string]string{"node.yaml": nodeYAML + "  scope: {prefixes: [192.0.2.0/33]}\n"},
			[]string{`node.yaml:4:22: node.scope.prefixes[0]: "192.0.2.0/33" is not a CIDR prefix (like 192.0.2.0/24)`}},
		{"CIDR host bits", map[string]string{"node.yaml": nodeYAML + "  scope: {prefixes: [192.0.2.1/24]}\n"},
			[]string{`node.yaml:4:22: node.scope.prefixes[0]: "192.0.2.1/24" has host bits set; did you mean 192.0.2.0/24?`}},
		{"port 0", svc("services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 0}]\n"),
			[]string{"web.yaml:4:32: services[0].ports[0].port: 0 is out of range 1..65535"}},
		{"port 70000", svc("services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 70000}]\n"),
			[]string{"web.yaml:4:32: services[0].ports[0].port: 70000 is out of range 1..65535"}},
		{"negative weight", svc(webWith("weight: -1")),
			[]string{"web.yaml:6:42: services[0].backends[0].weight: -1 is out of range 0..65535"}},
		{"unknown scheduler", svc("services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n    scheduler: fastest\n"),
			[]string{`web.yaml:5:16: services[0].scheduler: "fastest" is not one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos`}},
		{"duration without unit", map[string]string{"node.yaml": nodeYAML + "  resync_interval: 30\n"},
			[]string{"node.yaml:4:20: node.resync_interval: duration 30 has no unit; write e.g. 30s or 30ms"}},
		{"two files define node", map[string]string{"a.yaml": nodeYAML, "b.yaml": "\n" + nodeYAML},
			[]string{"b.yaml:3:3: node: node is already defined in a.yaml:2:3; exactly one file may define it"}},
		{"no node", map[string]string{"web.yaml": "services: []\n"},
			[]string{"web.yaml:1:1: node: no file defines node (exactly one must)"}},
		{"duplicate service", map[string]string{"node.yaml": nodeYAML,
			"a.yaml": "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n",
			"b.yaml": "services:\n  - name: web\n    vip: 192.0.2.11\n    ports: [{proto: tcp, port: 80}]\n"},
			[]string{`b.yaml:2:5: services[0].name: duplicate service name "web" (first defined at a.yaml:2:5)`}},
		{"same VIP and port", map[string]string{"node.yaml": nodeYAML,
			"a.yaml": "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n",
			"b.yaml": "services:\n  - name: web2\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}, {proto: udp, port: 80}]\n"},
			[]string{"b.yaml:2:5: services[0].ports: tcp/192.0.2.10:80 is already used by the service at a.yaml:2:5"}},
		{"VIP outside scope", map[string]string{"node.yaml": nodeYAML + "  scope: {prefixes: [192.0.2.0/28]}\n",
			"web.yaml": "services:\n  - name: web\n    vip: 192.0.2.100\n    ports: [{proto: tcp, port: 80}]\n"},
			[]string{"web.yaml:2:5: services[0].vip: 192.0.2.100 is outside node.scope.prefixes"}},
		{"backend family with dr", svc("services:\n  - name: web\n    vip: 192.0.2.10\n    forward: dr\n    ports: [{proto: tcp, port: 80}]\n    backends: [{address: 2001:db8::1}]\n"),
			[]string{"web.yaml:6:16: services[0].backends[0].address: 2001:db8::1 is ipv6 but the service is ipv4; only tunnel forwarding mixes families"}},
		{"secret printed nowhere", map[string]string{"node.yaml": nodeYAML, "web.yaml": webWithCheck("{type: radius, user: probe, password_file: pw, secret_file: missing}")},
			[]string{"web.yaml:6:52: services[0].checks[0].password_file: read secret file DIR/pw: open DIR/pw: no such file or directory",
				"web.yaml:6:69: services[0].checks[0].secret_file: read secret file DIR/missing: open DIR/missing: no such file or directory"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeDir(t, tc.files)
			got := loadErrors(t, dir)
			for i := range got {
				got[i] = replaceDir(got[i], dir)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", join(got), join(tc.want))
			}
		})
	}
}

// webWith is a one-backend web service whose backend has the extra field.
func webWith(field string) string {
	return "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n    backends:\n      - {address: 198.51.100.21, " + field + "}\n"
}

// webWithCheck is a one-backend web service with one inline check.
func webWithCheck(check string) string {
	return "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n    checks:\n      - " + check + "\n    backends: [{address: 198.51.100.21}]\n"
}
