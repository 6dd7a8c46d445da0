// Package kerneltest provides fakes of the kernel for tests, as
// mdlayher/netlink ships nltest.
//
// NewIPVS returns a stateful in-process IPVS. Its Dial returns a real
// *kernel.Client (through kernel.NewClient) whose socket hands each request
// to the fake, which parses it the way the kernel does and queues the
// answers as netlink datagrams; so the client's encoder, batching,
// acknowledgement matching and decoder run in every test that uses it. The
// fake follows the kernel's semantics and errnos, and the conformance suite
// of package kernel runs the same tests against it and against the real
// kernel in the test VM: a disagreement is a bug in the fake. Knobs: Unload
// (no ip_vs module), DisableIPv6, LoseAcks (acknowledgements lost, ENOBUFS),
// Stall and Resume (a kernel that stops answering until the deadline);
// Sends and Sockets count sendmsg calls and opened sockets.
//
//	f := kerneltest.NewIPVS()
//	c, err := f.Dial(kernel.Options{})
//	if err != nil {
//		t.Fatal(err)
//	}
//	defer c.Close()
//
// NewAddresses returns an in-memory addrs.Addresses that records its
// announcements.
//
// NewSysctls and NewIPVSSysctls return an in-memory checkpath.Sysctls that
// fails as /proc/sys does (a missing name, a value that is not an integer)
// and can be made to refuse writes (FailSet).
//
// The fake decodes requests and encodes replies with its own code, sharing
// only the netlink framing and attribute numbers of kernel/internal/wire
// with the client, so the two check each other.
package kerneltest
