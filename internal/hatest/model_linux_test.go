package hatest

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// fillers is the number of extra one-backend DR services (192.0.2.101 up):
// with the gateway, the DR and the NAT service, 20 services, so a push that
// keeps only the gateway and the DR service deletes 90 % of them.
const fillers = 17

// model is the configuration both implementations get, as values.
type model struct {
	RemoveBE3 bool // be3 is not a backend of the web services
	Weight3   int  // be3's weight in the DR service (default 1)
	Truncated bool // only the gateway and the DR service are left
	Invalid   bool // one file does not parse
}

// backendWeight is be1..be3's configured weight in the DR service.
func (m model) backendWeight(i int) int {
	if i == 2 && m.Weight3 > 0 {
		return m.Weight3
	}
	return 1
}

// svc is one IPVS virtual service of the model.
type svc struct {
	Name     string
	VIP      string
	Port     int
	Forward  string // dr | nat
	Backends []string
	Weights  []int
	Checked  bool
}

func fillerVIP(i int) string { return fmt.Sprintf("192.0.2.%d", 101+i) }

// services lists the model's services (the gateway included: seesaw holds
// the NAT gateway address as the VIP of a service without backends).
func (m model) services() []svc {
	var bes []string
	for i, ip := range backendIP {
		if i == 2 && m.RemoveBE3 {
			continue
		}
		bes = append(bes, ip)
	}
	weights := func(dr bool) []int {
		w := make([]int, len(bes))
		for i := range bes {
			w[i] = 1
			if dr {
				w[i] = m.backendWeight(i)
			}
		}
		return w
	}
	out := []svc{
		{Name: "gw", VIP: gatewayIP, Port: 9, Forward: "dr"},
		{Name: "web-dr", VIP: drVIP, Port: 80, Forward: "dr", Backends: bes, Weights: weights(true), Checked: true},
	}
	if m.Truncated {
		return out
	}
	out = append(out, svc{Name: "web-nat", VIP: natVIP, Port: 80, Forward: "nat", Backends: bes, Weights: weights(false), Checked: true})
	for i := range fillers {
		out = append(out, svc{Name: fmt.Sprintf("fill-%d", i), VIP: fillerVIP(i), Port: 80, Forward: "dr",
			Backends: []string{backendIP[0]}, Weights: []int{1}})
	}
	return out
}

// vips is every address the master holds under m.
func (m model) vips() []netip.Addr {
	var out []netip.Addr
	for _, s := range m.services() {
		out = append(out, netip.MustParseAddr(s.VIP))
	}
	return out
}

// coreVIPs are the addresses the duplicate-VIP sampler watches.
func coreVIPs() []netip.Addr {
	return []netip.Addr{netip.MustParseAddr(gatewayIP), netip.MustParseAddr(drVIP), netip.MustParseAddr(natVIP)}
}

// table is the `ipvsadm -Sn` the model gives when the backends in down are
// unhealthy (weight 0), as sorted lines, without the gateway service
// (keepalived holds the gateway address without an IPVS service).
func (m model) table(down map[string]bool) []string {
	var out []string
	for _, s := range m.services() {
		if s.Name == "gw" {
			continue
		}
		id := fmt.Sprintf("-t %s:%d", s.VIP, s.Port)
		out = append(out, fmt.Sprintf("-A %s -s wrr", id))
		flag := map[string]string{"dr": "-g", "nat": "-m"}[s.Forward]
		for i, be := range s.Backends {
			w := s.Weights[i]
			if s.Checked && down[be] {
				w = 0
			}
			out = append(out, fmt.Sprintf("-a %s -r %s:80 %s -w %d", id, be, flag, w))
		}
	}
	slices.Sort(out)
	return out
}

// liveTable normalizes `ipvsadm -Sn` output like model.table.
func liveTable(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.Contains(l, gatewayIP+":9 ") {
			continue
		}
		lines = append(lines, l)
	}
	slices.Sort(lines)
	return lines
}
