package main

import (
	"bytes"
	"testing"

	"github.com/seesaw-lb/seesaw/internal/daemon"
)

// TestRenderHostChecks prints one line when every setting fits, else
// each unfit one, and nothing without checks.
func TestRenderHostChecks(t *testing.T) {
	ok := daemon.HostCheck{Setting: "net.ipv4.conf.eth0.arp_ignore", Value: "1", Want: ">= 1", OK: true, Why: "w1"}
	bad := daemon.HostCheck{Setting: "net.ipv4.conf.eth0.rp_filter", Value: "1", Want: "0 or 2", Why: "strict"}
	for _, tt := range []struct {
		cs   []daemon.HostCheck
		want string
	}{
		{nil, ""},
		{[]daemon.HostCheck{ok}, "\nhost settings for anycast VIPs: all 1 fit\n"},
		{[]daemon.HostCheck{ok, bad}, "\nhost settings for anycast VIPs: 1 of 2 unfit\n  net.ipv4.conf.eth0.rp_filter = 1, want 0 or 2: strict\n"},
	} {
		var b bytes.Buffer
		renderHostChecks(&b, tt.cs)
		if b.String() != tt.want {
			t.Errorf("got %q, want %q", b.String(), tt.want)
		}
	}
}
