package kernel_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// A plan is a list of ops; Apply runs them in batches and returns one result
// per op, and Snapshot reads the table back. The fake from kerneltest speaks
// the same netlink messages as the kernel, so this runs without root; on a
// node, kernel.Dial(kernel.Options{}) gives the same Client over the kernel.
func Example() {
	ctx := context.Background()
	c, err := kerneltest.NewIPVS().Dial(kernel.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	web := kernel.NewServiceKey(kernel.TCP, netip.MustParseAddr("192.0.2.10"), 80)
	backend := kernel.NewDestinationKey(netip.MustParseAddr("198.51.100.21"), 80)
	results, err := c.Apply(ctx, []kernel.Op{
		{Kind: kernel.AddService, Service: web, ServiceConfig: kernel.ServiceConfig{Scheduler: "wrr"}},
		{Kind: kernel.AddDestination, Service: web, Destination: backend,
			DestinationConfig: kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: 1}},
		{Kind: kernel.AddService, Service: web, ServiceConfig: kernel.ServiceConfig{Scheduler: "rr"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range results {
		switch {
		case r.Err == nil:
			fmt.Printf("%v: ok\n", r.Op)
		case r.Uncertain: // the ack was lost: re-read with Snapshot
			fmt.Printf("%v: unknown\n", r.Op)
		default:
			fmt.Printf("%v (ErrExist: %v)\n", r.Err, errors.Is(r.Err, kernel.ErrExist))
		}
	}

	snap, err := c.Snapshot(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(kernel.RenderIPVSADM(snap))
	// Output:
	// add service tcp/192.0.2.10:80: ok
	// add destination 198.51.100.21:80 to service tcp/192.0.2.10:80: ok
	// add service tcp/192.0.2.10:80: already exists (ErrExist: true)
	// -A -t 192.0.2.10:80 -s wrr
	// -a -t 192.0.2.10:80 -r 198.51.100.21:80 -g -w 1
}
