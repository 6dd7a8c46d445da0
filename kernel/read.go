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
	if err := c.lockedFill(ctx, svcs); err != nil {
		return Snapshot{}, err
	}
	s := Snapshot{Services: svcs}
	s.Sort()
	return s, nil
}

// DestinationsOf dumps the destinations of each service in keys, one list
// per key in the same order, sorted by key, on the sockets Snapshot uses: a
// part of a full read. A service that does not exist has an empty list.
func (c *Client) DestinationsOf(ctx context.Context, keys []ServiceKey) ([][]Destination, error) {
	end, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	svcs := make([]Service, len(keys))
	for i, k := range keys {
		svcs[i].Key = k
	}
	if err := c.lockedFill(ctx, svcs); err != nil {
		return nil, err
	}
	out := make([][]Destination, len(svcs))
	for i, svc := range svcs {
		sortDestinations(svc.Destinations)
		out[i] = svc.Destinations
	}
	return out, nil
}

// VisitDestinations dumps the destinations of each service in keys, one
// after the other on the client's main socket and in the calling
// goroutine, and calls visit with the key's index and its list, sorted by
// key (empty for a service that does not exist). The list lives in memory
// of the socket that the next dump reuses: visit must copy what it keeps.
// The client's lock is held throughout. Unlike Snapshot it does not spread
// the dumps over several sockets: it serves a background re-read (the
// spread resync), whose cost is CPU, not wall time, and a dump on the
// caller's goroutine wakes no other goroutine or thread.
func (c *Client) VisitDestinations(ctx context.Context, keys []ServiceKey, visit func(i int, ds []Destination)) error {
	end, err := c.begin(ctx)
	if err != nil {
		return err
	}
	defer end()
	s := c.main
	defer func() {
		if cap(s.scratch) > maxScratch {
			s.scratch = nil
		}
	}()
	for i, k := range keys {
		ds, arena, err := c.dumpDestinations(ctx, s, k, s.scratch[:0])
		s.scratch = arena
		if err != nil {
			return err
		}
		sortDestinations(ds)
		visit(i, ds)
	}
	return nil
}

// maxScratch bounds the destinations a socket keeps for the next dump
// (about 700 KB): a service larger than that is dumped into new memory.
const maxScratch = 4096

// lockedFill dumps the destinations of every service in svcs into it, on
// up to Options.ReadSockets sockets in parallel.
func (c *Client) lockedFill(ctx context.Context, svcs []Service) error {
	arenas := make([][]Destination, max(c.opts.ReadSockets, 1))
	return c.lockedEach(ctx, len(svcs), func(w int, s *sock, i int) error {
		var err error
		svcs[i].Destinations, arenas[w], err = c.dumpDestinations(ctx, s, svcs[i].Key, arenas[w])
		return err
	})
}

// lockedEach runs dump(w, s, i) for i in [0, n) on up to
// Options.ReadSockets sockets in parallel, socket s (the w-th) taking
// i = w, w+len(sockets), ...; a socket stops at its first error, and the
// errors are joined.
func (c *Client) lockedEach(ctx context.Context, n int, dump func(w int, s *sock, i int) error) error {
	socks, release := c.lockedReaders(ctx, min(c.opts.ReadSockets, n))
	defer release()
	errs := make([]error, len(socks))
	var wg sync.WaitGroup
	for w, s := range socks {
		wg.Go(func() {
			for i := w; i < n && errs[w] == nil; i += len(socks) {
				errs[w] = dump(w, s, i)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// lockedReaders returns n sockets (the main one first), opening extra ones
// as needed and applying ctx's deadline to them. If a socket cannot be
// opened, fewer are used.
func (c *Client) lockedReaders(ctx context.Context, n int) ([]*sock, func()) {
	for len(c.readers) < n-1 && c.dialer != nil {
		t, err := c.dialer()
		if err != nil {
			break
		}
		c.readers = append(c.readers, newSock(t, c.opts.ReaderBufferBytes))
	}
	socks := []*sock{c.main}
	socks = append(socks, c.readers[:min(len(c.readers), max(n-1, 0))]...)
	extra := socks[1:]
	d, _ := ctx.Deadline()
	for _, s := range extra {
		s.setDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() {
		for _, s := range extra {
			s.t.SetDeadline(time.Unix(1, 0))
		}
	})
	return socks, func() {
		cancelled := !stop()
		for _, s := range extra {
			if cancelled {
				s.forget()
			}
			s.setDeadline(time.Time{})
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
	var svcs []Service
	err := c.request(ctx, c.main, c.family, wire.CmdGetService, nil, true, func(m wire.Message) error {
		svc, err := serviceFromMessage(m)
		svcs = append(svcs, svc)
		return err
	})
	if err != nil {
		return nil, wrapCmd("dump services", err)
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
	ds, _, err := c.dumpDestinations(ctx, c.main, k, nil)
	return ds, err
}

// dumpDestinations dumps the destinations of k on s, decoding each reply
// in place. They are appended to arena, and returned as a slice of it
// whose capacity ends at its length (an append to it copies); the grown
// arena is returned for the next dump.
func (c *Client) dumpDestinations(ctx context.Context, s *sock, k ServiceKey, arena []Destination) ([]Destination, []Destination, error) {
	var keyBuf [64]byte
	start := len(arena)
	err := c.request(ctx, s, c.family, wire.CmdGetDest, appendServiceKeyAttrs(keyBuf[:0], k), true, func(m wire.Message) error {
		_, attrsB, err := wire.SplitGenl(m.Payload)
		if err != nil {
			return err
		}
		nest, err := wire.Nested(attrsB, wire.AttrDest)
		if err != nil {
			return err
		}
		d, err := decodeDestination(nest, k.Family)
		if err != nil {
			return err
		}
		if len(arena) == cap(arena) {
			// A new chunk, twice the last up to 4,096 entries; earlier
			// services' slices stay in the old one.
			n := max(256, min(2*cap(arena), 4096), 2*(len(arena)-start))
			arena = append(make([]Destination, 0, n), arena[start:]...)
			start = 0
		}
		arena = append(arena, d)
		return nil
	})
	if err != nil {
		return nil, arena[:start], wrapCmd("dump destinations of service "+k.String(), err)
	}
	ds := arena[start:len(arena):len(arena)]
	if len(ds) == 0 {
		ds = []Destination{}
	}
	for i := range ds {
		ds[i].ListPos = len(ds) - i // the dump walks the list from the head, newest first
	}
	return ds, arena, nil
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
