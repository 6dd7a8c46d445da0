package keepalived

import (
	"slices"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/desired"
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

// TestNotifyScope: an instance's notify script becomes a hook limited to
// that instance on a node with several VRRP instances, and to every event
// on a node with one; a sync group's is limited to its converted members
// and noted (keepalived ran it once for the group); one whose instance was
// not converted is dropped and noted.
func TestNotifyScope(t *testing.T) {
	instance := func(name string, vrid int, notify string) string {
		return "vrrp_instance " + name + " {\n  interface eth0\n  virtual_router_id " + strings.Repeat("1", vrid) +
			"\n  priority 100\n  virtual_ipaddress { 192.0.2." + strings.Repeat("1", vrid) + " }\n" + notify + "}\n"
	}
	const head = "global_defs {\n  vrrp_version 3\n}\n"
	web := instance("VI_WEB", 1, "  notify_master /etc/keepalived/web-master.sh\n  notify_backup /etc/keepalived/web-master.sh\n")
	api := instance("VI_API", 2, "  notify_master /etc/keepalived/web-master.sh\n")
	noVRID := "vrrp_instance VI_OLD {\n  interface eth0\n  notify_master /etc/keepalived/old.sh\n}\n"
	group := "vrrp_sync_group G {\n  group {\n    VI_WEB\n    VI_API\n    VI_GONE\n  }\n  notify_fault /etc/keepalived/group.sh\n}\n"
	for _, tt := range []struct {
		name, conf string
		hooks      string   // node.notify as rendered
		notes      []string // substrings of notes that must be there
	}{
		{"one instance", head + web, `
  notify:
    - name: VI_WEB-notify_master
      on: [master, backup]
      run: [/etc/keepalived/web-master.sh]
addresses:
`, nil},
		{"two instances", head + web + api, `
  notify:
    - name: VI_WEB-notify_master
      on: [master, backup]
      run: [/etc/keepalived/web-master.sh]
      instances: [VI_WEB]
    - name: VI_API-notify_master
      on: [master]
      run: [/etc/keepalived/web-master.sh]
      instances: [VI_API]
`, nil},
		{"sync group", head + web + api + group, `
    - name: G-notify_fault
      on: [fault]
      run: [/etc/keepalived/group.sh]
      instances: [VI_WEB, VI_API]
`, []string{"vrrp_sync_group G notify_fault: converted to a hook limited to the group's instances that runs once per state change of each of them"}},
		{"group of instances not converted", head + web + api + "vrrp_sync_group H {\n  group {\n    VI_X\n    VI_Y\n  }\n  notify_stop /etc/keepalived/h.sh\n}\n", "", []string{
			"vrrp_sync_group H: notify hook H-notify_stop not converted: none of the instances it ran for was converted"}},
		{"instance not converted", head + web + api + noVRID, "", []string{
			"vrrp_instance VI_OLD: notify hook VI_OLD-notify_master not converted: none of the instances it ran for was converted"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("/k/keepalived.conf", Options{Source: MapSource{"/k/keepalived.conf": tt.conf}})
			if err != nil {
				t.Fatal(err)
			}
			res, err := Convert(cfg, ConvertOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var notes []string
			for _, n := range res.Notes {
				notes = append(notes, n.String())
			}
			if tt.hooks != "" && !strings.Contains(string(res.NodeYAML), tt.hooks) {
				t.Errorf("node.yaml lacks the hooks%s\n%s", tt.hooks, res.NodeYAML)
			}
			for _, want := range tt.notes {
				if !slices.ContainsFunc(notes, func(s string) bool { return strings.Contains(s, want) }) {
					t.Errorf("no note %q among %q", want, notes)
				}
			}
			if slices.ContainsFunc(notes, func(s string) bool { return strings.Contains(s, "vrrp_sync_group H notify_stop: converted") }) {
				t.Errorf("a dropped group hook is noted as converted: %q", notes)
			}
			if slices.ContainsFunc(notes, func(s string) bool { return strings.Contains(s, "not of this instance alone") }) {
				t.Errorf("an instance's hook is still noted as running for every instance: %q", notes)
			}
			dir := t.TempDir()
			writeResult(t, dir, res)
			if _, err := desired.Load(dir); err != nil {
				t.Errorf("the converted files do not load: %v\n%s", err, res.NodeYAML)
			}
		})
	}
}
