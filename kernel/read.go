package kernel

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"github.com/mdlayher/netlink"

	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
)

// Snapshot reads every service (one dump) and the destinations of each (one
// dump per service: the kernel has no all-destinations dump and runs one
// dump per socket at a time, so Options.ReadSockets sockets dump in
// parallel). It holds the client's lock throughout, so the client's own
// writes cannot interleave.
func (c *Client) Snapshot(ctx context.Context) (Snapshot, error) {
	end, err := c.begin(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	defer end()
	svcs, err := c.lockedServices(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	socks, release := c.lockedReaders(ctx, min(c.opts.ReadSockets, len(svcs)))
	defer release()
	errs := make([]error, len(socks))
	var wg sync.WaitGroup
	for w, s := range socks {
		wg.Go(func() {
			for i := w; i < len(svcs) && errs[w] == nil; i += len(socks) {
				svcs[i].Destinations, errs[w] = c.dumpDestinations(ctx, s, svcs[i].Key)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return Snapshot{}, err
	}
	s := Snapshot{Services: svcs}
	s.Sort()
	return s, nil
}

// lockedReaders returns n sockets (the main one first), opening extra ones
// as needed and applying ctx's deadline to them. If a socket cannot be
// opened, fewer are used.
func (c *Client) lockedReaders(ctx context.Context, n int) ([]sock, func()) {
	for len(c.readers) < n-1 && c.dialer != nil {
		t, err := c.dialer()
		if err != nil {
			break
		}
		c.readers = append(c.readers, sock{t, make([]byte, c.opts.ReaderBufferBytes)})
	}
	socks := []sock{{c.t, c.buf}}
	socks = append(socks, c.readers[:min(len(c.readers), max(n-1, 0))]...)
	extra := socks[1:]
	d, _ := ctx.Deadline()
	for _, s := range extra {
		s.t.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() {
		for _, s := range extra {
			s.t.SetDeadline(time.Unix(1, 0))
		}
	})
	return socks, func() {
		stop()
		for _, s := range extra {
			s.t.SetDeadline(time.Time{})
		}
	}
}

// Services dumps every service, without destinations.
func (c *Client) Services(ctx context.Context) ([]Service, error) {
	end, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	return c.lockedServices(ctx)
}

func (c *Client) lockedServices(ctx context.Context) ([]Service, error) {
	msgs, err := c.lockedExchange(ctx, c.family, wire.CmdGetService, nil, true)
	if err != nil {
		return nil, wrapCmd("dump services", err)
	}
	svcs := make([]Service, 0, len(msgs))
	for _, m := range msgs {
		svc, err := serviceFromMessage(m)
		if err != nil {
			return nil, fmt.Errorf("dump services: %w", err)
		}
		svcs = append(svcs, svc)
	}
	return svcs, nil
}

func serviceFromMessage(m wire.Message) (Service, error) {
	_, a, err := wire.SplitGenl(m.Payload)
	if err != nil {
		return Service{}, err
	}
	nest, err := wire.Nested(a, wire.AttrService)
	if err != nil {
		return Service{}, err
	}
	if nest == nil {
		return Service{}, fmt.Errorf("%w: reply without a service", ErrMalformed)
	}
	return decodeService(nest)
}

// Service reads one service (GET_SERVICE doit), without destinations. A
// missing service is an error matching ErrNoService.
func (c *Client) Service(ctx context.Context, k ServiceKey) (Service, error) {
	a, err := serviceKeyAttrs(k)
	if err != nil {
		return Service{}, err
	}
	msgs, err := c.exchange(ctx, wire.CmdGetService, a, false)
	if err != nil {
		return Service{}, wrapCmd("get service "+k.String(), err)
	}
	if len(msgs) != 1 {
		return Service{}, fmt.Errorf("get service %s: %w: %d replies", k, ErrMalformed, len(msgs))
	}
	return serviceFromMessage(msgs[0])
}

// Destinations dumps the destinations of service k. An unknown service
// yields an empty list, as the kernel answers it: empty is not "not found".
func (c *Client) Destinations(ctx context.Context, k ServiceKey) ([]Destination, error) {
	end, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	return c.lockedDestinations(ctx, k)
}

func (c *Client) lockedDestinations(ctx context.Context, k ServiceKey) ([]Destination, error) {
	return c.dumpDestinations(ctx, sock{c.t, c.buf}, k)
}

// dumpDestinations dumps the destinations of k on s.
func (c *Client) dumpDestinations(ctx context.Context, s sock, k ServiceKey) ([]Destination, error) {
	a, err := serviceKeyAttrs(k)
	if err != nil {
		return nil, err
	}
	msgs, err := c.exchangeOn(ctx, s, c.family, wire.CmdGetDest, a, true)
	if err != nil {
		return nil, wrapCmd("dump destinations of service "+k.String(), err)
	}
	ds := make([]Destination, 0, len(msgs))
	for _, m := range msgs {
		_, attrsB, err := wire.SplitGenl(m.Payload)
		if err == nil {
			var nest []byte
			if nest, err = wire.Nested(attrsB, wire.AttrDest); err == nil {
				var d Destination
				d, err = decodeDestination(nest, k.Family)
				ds = append(ds, d)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("dump destinations of service %s: %w", k, err)
		}
	}
	return ds, nil
}

func serviceKeyAttrs(k ServiceKey) ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	ae.Nested(wire.AttrService, func(nae *netlink.AttributeEncoder) error {
		encodeServiceKey(nae, k)
		return nil
	})
	return ae.Encode()
}

// wrapCmd names the command in an error and maps a kernel errno to words.
func wrapCmd(what string, err error) error {
	if errno, ok := err.(syscall.Errno); ok {
		return kernelError(what, 0, errno)
	}
	return fmt.Errorf("%s: %w", what, err)
}
