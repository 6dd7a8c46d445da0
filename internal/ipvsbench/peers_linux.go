//go:build linux

package ipvsbench

import (
	"fmt"
	"net"

	cfipvs "github.com/cloudflare/ipvs"
	"github.com/cloudflare/ipvs/netmask"
	mobyipvs "github.com/moby/ipvs"
)

// mobyApply writes the rule set with github.com/moby/ipvs, one request and
// one ack at a time.
func mobyApply(h *mobyipvs.Handle) error {
	for i := range Services {
		k := serviceKey(i)
		svc := &mobyipvs.Service{Address: net.IP(k.Addr.AsSlice()), Protocol: 6, Port: k.Port,
			SchedName: "wrr", AddressFamily: 2, Netmask: 0xffffffff}
		if err := h.NewService(svc); err != nil {
			return fmt.Errorf("moby: add service %s: %w", k, err)
		}
		for j := range Dests {
			d := destKey(j)
			dst := &mobyipvs.Destination{Address: net.IP(d.Addr.AsSlice()), Port: d.Port, Weight: j + 1,
				ConnectionFlags: mobyipvs.ConnectionFlagDirectRoute, AddressFamily: 2}
			if err := h.NewDestination(svc, dst); err != nil {
				return fmt.Errorf("moby: add destination %s: %w", d, err)
			}
		}
	}
	return nil
}

// mobyRead reads every service and its destinations with moby/ipvs.
func mobyRead(h *mobyipvs.Handle) (int, error) {
	svcs, err := h.GetServices()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range svcs {
		ds, err := h.GetDestinations(s)
		if err != nil {
			return 0, err
		}
		n += len(ds)
	}
	return n, nil
}

func cfService(i int) cfipvs.Service {
	k := serviceKey(i)
	return cfipvs.Service{Address: k.Addr, Port: k.Port, Family: cfipvs.INET, Protocol: cfipvs.TCP,
		Scheduler: "wrr", Netmask: netmask.MaskFrom(32, 32)}
}

// cloudflareApply writes the rule set with github.com/cloudflare/ipvs.
func cloudflareApply(c cfipvs.Client) error {
	for i := range Services {
		svc := cfService(i)
		if err := c.CreateService(svc); err != nil {
			return fmt.Errorf("cloudflare: add service %d: %w", i, err)
		}
		for j := range Dests {
			d := destKey(j)
			dst := cfipvs.Destination{Address: d.Addr, Port: d.Port, Family: cfipvs.INET,
				FwdMethod: cfipvs.DirectRoute, Weight: uint32(j + 1)}
			if err := c.CreateDestination(svc, dst); err != nil {
				return fmt.Errorf("cloudflare: add destination %s: %w", d, err)
			}
		}
	}
	return nil
}

// cloudflareRead reads every service and its destinations.
func cloudflareRead(c cfipvs.Client) (int, error) {
	svcs, err := c.Services()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range svcs {
		ds, err := c.Destinations(s.Service)
		if err != nil {
			return 0, err
		}
		n += len(ds)
	}
	return n, nil
}
