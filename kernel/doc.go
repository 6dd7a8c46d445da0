// Package kernel programs Linux IPVS, the kernel's layer-4 load balancer,
// over generic netlink, in pure Go.
//
// # Where to start
//
// Dial opens a Client on the current network namespace (Options.NetNS for
// another). Client.Snapshot reads the whole table as a Snapshot; Client.Apply
// runs a plan, a list of Op values (add, update, delete a service or
// destination), and returns one Result per Op. IPVS is the interface of those
// two calls that package reconcile depends on. RenderIPVSADM prints a
// Snapshot exactly as `ipvsadm -Sn` prints the same table, so a test can
// compare tables as text. The remaining Client methods (Services,
// Destinations, Timeouts, the sync daemons, Zero, Flush) are ipvsadm's other
// commands.
//
// Services and destinations are identified by comparable keys (ServiceKey,
// DestinationKey; build them with NewServiceKey, NewFWMarkKey and
// NewDestinationKey so addresses are canonical); what can be set sits in
// ServiceConfig and DestinationConfig, apart from the observed Stats and
// Conns, so comparing configs never compares counters.
//
//	c, err := kernel.Dial(kernel.Options{})
//	if err != nil {
//		return err // errors.Is(err, kernel.ErrFamilyNotFound): modprobe ip_vs
//	}
//	defer c.Close()
//	web := kernel.NewServiceKey(kernel.TCP, netip.MustParseAddr("192.0.2.10"), 80)
//	results, err := c.Apply(ctx, []kernel.Op{
//		{Kind: kernel.AddService, Service: web, ServiceConfig: kernel.ServiceConfig{Scheduler: "wrr"}},
//	})
//
// Package kerneltest provides a fake kernel that speaks the same netlink
// messages, for tests without root; the Example runs against it. VIP
// addresses and their announcements are in package kernel/addrs; the host
// routes and settings that let health checks pass through IPVS are in
// package kernel/checkpath.
//
// # Invariants
//
// A change must keep these; each has a test, listed in docs/kernel.md (most
// in the conformance suite, which runs against both the fake and the real
// kernel).
//
//   - The kernel sets the internal HASHED service flag on every service it
//     holds: it is masked when decoding and never sent.
//   - An update always sends the persistence-engine name (empty for none),
//     since SET_SERVICE without it clears the engine, and the flags with a
//     full mask, so they are set absolutely rather than merged.
//   - Apply writes many requests per sendmsg (Options.BatchSize,
//     Options.BatchBytes) and matches each acknowledgement to its Op by
//     sequence number; a failed Op does not stop the others.
//   - A Result whose acknowledgement was lost (ENOBUFS, a deadline, a
//     cancelled context) is Uncertain and its Err matches ErrUncertain: the
//     Op may or may not have taken effect, and the caller re-reads the table
//     with Snapshot before planning again.
//   - No wait for the kernel is unbounded: every sendmsg and recvmsg has a
//     deadline (Options.Timeout, default DefaultTimeout, or the context's
//     if sooner); a timed-out request fails with an error matching
//     ErrTimeout, and in Apply it is Uncertain.
//   - An empty destination dump is an empty list, not "no such service".
//   - Every error of an Op is an *OpError naming what was done to what;
//     errors.Is matches both its sentinel (ErrExist, ErrNoService, ...) and
//     the kernel's errno.
package kernel
