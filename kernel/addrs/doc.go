// Package addrs manages the VIP addresses on a node's interfaces and
// announces them to the segment when they move.
//
// New returns the kernel's Addresses over rtnetlink: List, Add and Delete
// work on one interface's addresses (adding an address already there or
// deleting one already gone is not an error; IPv6 VIPs skip duplicate
// address detection), and Announce sends a gratuitous ARP (IPv4) or an
// unsolicited neighbour advertisement with the override flag (IPv6), so
// neighbours switch to the new master at once. kerneltest.NewAddresses is an
// in-memory Addresses for tests.
//
//	a, err := addrs.New(0) // 0: the current network namespace
//	if err != nil {
//		return err
//	}
//	defer a.Close()
//	vip := netip.MustParsePrefix("192.0.2.10/32")
//	if err := a.Add(ctx, "eth1", vip); err != nil {
//		return err
//	}
//	return a.Announce(ctx, "eth1", vip.Addr())
//
// Errors are *kernel.OpError values naming the operation ("add address
// 192.0.2.10/32 to eth1"); a missing interface matches ErrNoInterface.
package addrs
