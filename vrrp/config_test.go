package vrrp

import (
	"errors"
	"net/netip"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	ok := testConfig(100)
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid config rejected: %v", err)
	}
	mut := []struct {
		name string
		f    func(*Config)
	}{
		{"no interface", func(c *Config) { c.Interface = "" }},
		{"vrid 0", func(c *Config) { c.VRID = 0 }},
		{"priority 0", func(c *Config) { c.Priority = 0 }},
		{"interval 5ms", func(c *Config) { c.AdvertInterval = 5 * time.Millisecond }},
		{"interval 15ms", func(c *Config) { c.AdvertInterval = 15 * time.Millisecond }},
		{"interval 41s", func(c *Config) { c.AdvertInterval = 41 * time.Second }},
		{"negative preempt delay", func(c *Config) { c.PreemptDelay = -time.Second }},
		{"no vips", func(c *Config) { c.VIPs = nil }},
		{"mixed vips", func(c *Config) { c.VIPs = append(c.VIPs, vip6) }},
		{"ipv6 peer for ipv4", func(c *Config) { c.Peers = []netip.Addr{src6} }},
		{"ipv6 source for ipv4", func(c *Config) { c.Source = src6 }},
		{"realtime priority -1", func(c *Config) { c.RealtimePriority = -1 }},
		{"realtime priority 100", func(c *Config) { c.RealtimePriority = 100 }},
		{"unnamed track", func(c *Config) { c.TrackInterfaces = []TrackInterface{{Penalty: 10}} }},
	}
	for _, m := range mut {
		c := testConfig(100)
		m.f(&c)
		if err := c.Validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", m.name, err)
		}
	}
}
