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
