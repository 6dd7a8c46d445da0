package desired

import (
	"slices"
	"testing"
)

// TestStrictScalars: integers are decimal only, floats and overflow get
// messages that say so, a byte that is not UTF-8 is reported at its own
// line, and names with control characters are refused with the character
// escaped.
func TestStrictScalars(t *testing.T) {
	svc := func(port, weight string) string {
		return "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: " + port +
			"}]\n    backends: [{address: 198.51.100.1, weight: " + weight + "}]\n"
	}
	tests := []struct {
		name, web, want string
	}{
		{"hex", svc("0x50", "1"), "web.yaml:4:32: services[0].ports[0].port: 0x50 is not a decimal integer (YAML reads it as 80); write integers in decimal"},
		{"octal", svc("0o17", "1"), "web.yaml:4:32: services[0].ports[0].port: 0o17 is not a decimal integer (YAML reads it as 15); write integers in decimal"},
		{"YAML 1.1 octal", svc("017", "1"), "web.yaml:4:32: services[0].ports[0].port: 017 is not a decimal integer (YAML reads it as 15); write integers in decimal"},
		{"underscores", svc("1_000", "1"), "web.yaml:4:32: services[0].ports[0].port: 1_000 is not a decimal integer (YAML reads it as 1000); write integers in decimal"},
		{"plus", svc("+5", "1"), "web.yaml:4:32: services[0].ports[0].port: +5 is not a decimal integer (YAML reads it as 5); write integers in decimal"},
		{"float", svc("80", "1e20"), "web.yaml:5:48: services[0].backends[0].weight: want an integer, got a float 1e20"},
		{"fraction", svc("80", "1.5"), "web.yaml:5:48: services[0].backends[0].weight: want an integer, got a float 1.5"},
		{"overflow", svc("99999999999999999999", "1"), "web.yaml:4:32: services[0].ports[0].port: 99999999999999999999 is out of range 1..65535"},
		{"overflow int64", svc("80", "9223372036854775808"), "web.yaml:5:48: services[0].backends[0].weight: 9223372036854775808 is out of range 0..65535"},
		{"not UTF-8", "# ok\nservices:\n  - name: w\xffb\n", "web.yaml:3:12: malformed YAML: byte 0xff is not UTF-8"},
		{"control character", "services:\n  - name: \"we\\e[31mb\"\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n",
			`web.yaml:2:11: services[0].name: name "we\x1b[31mb" contains the control character U+001B`},
		{"control character in a key", "services:\n  - {\"na\\x07me\": web}\n",
			`web.yaml:2:6: services[0].na\ame: unknown key "na\ame"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeDir(t, map[string]string{"node.yaml": nodeYAML, "web.yaml": tc.web})
			if got := loadErrors(t, dir); !slices.Contains(got, tc.want) {
				t.Errorf("errors:\n%s\nwant a line:\n  %s", join(got), tc.want)
			}
		})
	}
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML, "web.yaml": svc("80", "0")})
	if cfg := mustLoad(t, dir); cfg.Services[0].Backends[0].Weight != 0 || cfg.Services[0].Ports[0].Port != 80 {
		t.Errorf("decimal 80 and 0 decoded as %+v", cfg.Services[0])
	}
}
