package main

import "testing"

func TestBackendArg(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
		rest int
	}{
		{[]string{"198.51.100.1"}, "198.51.100.1", 0},
		{[]string{"198.51.100.1", "--socket", "/s"}, "198.51.100.1", 2},
		{[]string{"--socket", "/s", "198.51.100.1:80"}, "198.51.100.1:80", 2},
		{[]string{"--socket=/s", "198.51.100.1"}, "198.51.100.1", 1},
		{[]string{"--socket", "/s"}, "", 2},
	} {
		got, rest := backendArg(tc.args)
		if got != tc.want || len(rest) != tc.rest {
			t.Errorf("backendArg(%q) = %q, %q; want %q and %d left", tc.args, got, rest, tc.want, tc.rest)
		}
	}
}
