package ipvsbench

import (
	"fmt"
	"net/netip"

	"github.com/seesaw-lb/seesaw/kernel"
)

// Rule set of the benchmarks: Services services of Dests destinations each,
// direct routing, wrr. BenchmarkFullRead sets them from its flags.
var (
	Services = 1000
	Dests    = 10
)

// serviceKey returns the i-th benchmark service.
func serviceKey(i int) kernel.ServiceKey {
	return kernel.NewServiceKey(kernel.TCP, netip.MustParseAddr("192.0.2.10"), uint16(10000+i))
}

// destKey returns the j-th destination of every service.
func destKey(j int) kernel.DestinationKey {
	return kernel.NewDestinationKey(netip.AddrFrom4([4]byte{198, 51, 100, byte(1 + j)}), 80)
}

// Ops returns the cold-apply plan of the rule set.
func Ops() []kernel.Op {
	ops := make([]kernel.Op, 0, Services*(Dests+1))
	for i := range Services {
		k := serviceKey(i)
		ops = append(ops, kernel.Op{Kind: kernel.AddService, Service: k, ServiceConfig: kernel.ServiceConfig{Scheduler: "wrr"}})
		for j := range Dests {
			ops = append(ops, kernel.Op{Kind: kernel.AddDestination, Service: k, Destination: destKey(j),
				DestinationConfig: kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: uint32(j + 1)}})
		}
	}
	return ops
}

// Rules returns the rule set as `ipvsadm -R` input.
func Rules() string {
	var b []byte
	for i := range Services {
		svc := fmt.Sprintf("-t %s", netip.AddrPortFrom(serviceKey(i).Addr, serviceKey(i).Port))
		b = fmt.Appendf(b, "-A %s -s wrr\n", svc)
		for j := range Dests {
			b = fmt.Appendf(b, "-a %s -r %s -g -w %d\n", svc, destKey(j), j+1)
		}
	}
	return string(b)
}
