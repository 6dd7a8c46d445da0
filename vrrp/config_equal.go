package vrrp

import "slices"

// Equal reports whether c and o configure the same virtual router: every
// field is equal, and a nil list equals an empty one.
func (c Config) Equal(o Config) bool {
	return c.Interface == o.Interface && c.VRID == o.VRID && c.Priority == o.Priority &&
		c.AdvertInterval == o.AdvertInterval && c.Preempt == o.Preempt && c.PreemptDelay == o.PreemptDelay &&
		c.AcceptMode == o.AcceptMode && slices.Equal(c.Peers, o.Peers) && slices.Equal(c.VIPs, o.VIPs) &&
		slices.Equal(c.TrackInterfaces, o.TrackInterfaces) && c.Source == o.Source &&
		c.KernelTimedAdverts == o.KernelTimedAdverts && c.RealtimePriority == o.RealtimePriority &&
		c.RuntimeTimedAdverts == o.RuntimeTimedAdverts && c.AdvertSender == o.AdvertSender
}
