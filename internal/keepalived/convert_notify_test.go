package keepalived

import (
	"slices"
	"strings"
	"testing"
)

// TestSplitCommand: keepalived's script commands split into an argv
// without a shell, and the ones that need a shell are refused with why.
func TestSplitCommand(t *testing.T) {
	tests := []struct {
		in   string
		argv []string
		bad  string
	}{
		{"/usr/bin/x", []string{"/usr/bin/x"}, ""},
		{"  /usr/bin/x  a\tb ", []string{"/usr/bin/x", "a", "b"}, ""},
		{"/usr/bin/x 'a b' \"c d\" e'f g'h", []string{"/usr/bin/x", "a b", "c d", "ef gh"}, ""},
		{"/usr/bin/x ''", []string{"/usr/bin/x", ""}, ""},
		{"/usr/bin/x key=value", []string{"/usr/bin/x", "key=value"}, ""},
		{"/usr/bin/x '$HOME'", []string{"/usr/bin/x", "$HOME"}, ""},
		{"/usr/bin/x | mail", nil, "|"},
		{"/usr/bin/x > /tmp/y", nil, ">"},
		{"/usr/bin/x; reboot", nil, ";"},
		{"/usr/bin/x $HOME", nil, "$"},
		{"/usr/bin/x \"$HOME\"", nil, "$"},
		{"/usr/bin/x `id`", nil, "`"},
		{"/usr/bin/x *.log", nil, "*"},
		{"/usr/bin/x 'open", nil, "unterminated"},
		{"", nil, ""},
	}
	for _, tt := range tests {
		argv, bad := splitCommand(tt.in)
		if tt.bad != "" {
			if !strings.Contains(bad, tt.bad) || argv != nil {
				t.Errorf("splitCommand(%q) = %q, %q; want refused for %q", tt.in, argv, bad, tt.bad)
			}
			continue
		}
		if bad != "" || !slices.Equal(argv, tt.argv) {
			t.Errorf("splitCommand(%q) = %q, %q; want %q", tt.in, argv, bad, tt.argv)
		}
	}
}

// TestNotifyScopeNoted: with several VRRP instances, an instance's notify
// script converted to a hook is listed, because the hook runs for every
// instance; with one instance it is not.
func TestNotifyScopeNoted(t *testing.T) {
	instance := func(name string, vrid int, notify string) string {
		return "vrrp_instance " + name + " {\n  interface eth0\n  virtual_router_id " + strings.Repeat("1", vrid) +
			"\n  priority 100\n  virtual_ipaddress { 192.0.2." + strings.Repeat("1", vrid) + " }\n" + notify + "}\n"
	}
	web := instance("VI_WEB", 1, "  notify_master /etc/keepalived/web-master.sh\n")
	api := instance("VI_API", 2, "")
	for _, tt := range []struct {
		conf string
		want bool
	}{
		{"global_defs {\n  vrrp_version 3\n}\n" + web, false},
		{"global_defs {\n  vrrp_version 3\n}\n" + web + api, true},
	} {
		cfg, err := Parse("/k/keepalived.conf", Options{Source: MapSource{"/k/keepalived.conf": tt.conf}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := Convert(cfg, ConvertOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range res.Notes {
			got = append(got, n.String())
		}
		noted := slices.ContainsFunc(got, func(s string) bool {
			return strings.Contains(s, "vrrp_instance VI_WEB notify_master: converted to a hook that runs on the state changes of every VRRP instance") &&
				strings.Contains(s, "SEESAW_INSTANCE is VI_WEB")
		})
		if noted != tt.want || !strings.Contains(string(res.NodeYAML), "/etc/keepalived/web-master.sh") {
			t.Errorf("notes %q (scope noted %v, want %v), node.yaml:\n%s", got, noted, tt.want, res.NodeYAML)
		}
	}
}
