package addrs

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

// TestAddBatchInNetns: a batch of adds succeeds with an address already
// there among them; a batch with a request the kernel refuses reports
// false, and AddAll then adds the others one at a time and names the
// refused one; the batch socket stays open and serves the next batch.
func TestAddBatchInNetns(t *testing.T) {
	nsA := withD0(t)
	ctx := context.Background()
	pfx := netip.MustParsePrefix
	withAddresses(t, nsA, 0, func(la *linuxAddresses) error {
		if err := ipIn(nsA, "addr", "add", "192.0.2.31/32", "dev", "va"); err != nil {
			return err
		}
		batch := func(ps ...netip.Prefix) (bool, error) {
			la.mu.Lock()
			defer la.mu.Unlock()
			ifi, _, err := la.keptLinkLocked("va")
			if err != nil {
				return false, err
			}
			return la.addBatchLocked(ifi, ps), nil
		}
		has := func(ps ...netip.Prefix) error {
			got, err := la.List(ctx, "va")
			if err != nil {
				return err
			}
			held := map[netip.Prefix]bool{}
			for _, p := range got {
				held[p] = true
			}
			for _, p := range ps {
				if !held[p] {
					return fmt.Errorf("va has %d addresses, %v not among them", len(got), p)
				}
			}
			return nil
		}
		ok, err := batch(pfx("192.0.2.30/32"), pfx("192.0.2.31/32"), pfx("192.0.2.32/32"), pfx("2001:db8:10::30/128"))
		if err != nil || !ok {
			return fmt.Errorf("a batch with an address already there: ok %v, %v; want ok", ok, err)
		}
		if err := has(pfx("192.0.2.30/32"), pfx("192.0.2.31/32"), pfx("192.0.2.32/32"), pfx("2001:db8:10::30/128")); err != nil {
			return err
		}

		refused := netip.PrefixFrom(netip.MustParseAddr("192.0.2.41"), 33) // no valid length: the kernel says EINVAL
		ps := []netip.Prefix{pfx("192.0.2.40/32"), refused, pfx("192.0.2.42/32")}
		if ok, err := batch(ps...); err != nil || ok {
			return fmt.Errorf("a batch with a refused request: ok %v, %v; want not ok", ok, err)
		}
		errs := la.AddAll(ctx, "va", ps)
		if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], unix.EINVAL) {
			return fmt.Errorf("AddAll with a refused request: %v; want EINVAL for %v alone", errs, refused)
		}
		if err := has(pfx("192.0.2.40/32"), pfx("192.0.2.42/32")); err != nil {
			return err
		}

		if la.bulk == nil {
			return fmt.Errorf("the batch socket was closed after a refused request")
		}
		if ok, err := batch(pfx("192.0.2.50/32"), pfx("192.0.2.51/32")); err != nil || !ok {
			return fmt.Errorf("the batch after a refused one: ok %v, %v; want ok", ok, err)
		}
		if err := has(pfx("192.0.2.50/32"), pfx("192.0.2.51/32")); err != nil {
			return err
		}

		// Batches of more than one sendmsg: 10 requests, 3 to a sendmsg.
		defer func(n int) { batchSize = n }(batchSize)
		batchSize = 3
		var many []netip.Prefix
		for i := range 10 {
			many = append(many, netip.PrefixFrom(netip.AddrFrom4([4]byte{203, 0, 113, byte(10 + i)}), 32))
		}
		many = append(many, pfx("192.0.2.50/32")) // already there: an EEXIST in the last sendmsg
		if ok, err := batch(many...); err != nil || !ok {
			return fmt.Errorf("a batch of %d: ok %v, %v; want ok", len(many), ok, err)
		}
		return has(many...)
	})
}
