package kernel

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mdlayher/netlink"

	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
)

// Socket moves whole datagrams to and from a generic netlink socket: the
// kernel's (Dial) or an in-process peer's (kerneltest.IPVS). A Client
// writes a batch of requests with one Send and reads one datagram per
// Recv; it serializes its calls, and uses one Socket per running dump.
type Socket interface {
	Send(b []byte) error           // one sendmsg
	Recv(b []byte) (int, error)    // one datagram
	SetDeadline(t time.Time) error // zero = none
	Close() error
}

// Options tune a Client. The zero value is usable.
type Options struct {
	// NetNS, when non-zero, is a file descriptor of the network namespace
	// whose IPVS table the client manages (see netlink.Config.NetNS).
	NetNS int
	// BatchSize is the most requests written per sendmsg by Apply (default
	// 128; 1 = one request per round trip).
	BatchSize int
	// BatchBytes bounds the bytes per sendmsg (default 64 KiB, below the
	// kernel's default socket send buffer).
	BatchBytes int
	// RecvBufferBytes is the recvmsg buffer (default 64 KiB). The kernel
	// sizes dump datagrams after the largest buffer a socket has used,
	// capped at 32 KiB.
	RecvBufferBytes int
	// ReadSockets is how many sockets Snapshot uses to dump destinations in
	// parallel (default 2; 1 = only the main socket). The kernel allows one
	// running dump per socket, and has no all-destinations dump; it runs
	// IPVS dumps one at a time, so a second socket overlaps decoding with
	// the kernel's work and more add only contention (docs/benchmarks.md).
	ReadSockets int
	// ReaderBufferBytes is the recvmsg buffer of the extra Snapshot sockets,
	// which only dump destinations (default RecvBufferBytes).
	ReaderBufferBytes int
	// Timeout bounds each wait for the kernel: a request and the first
	// datagrams of its answer get a deadline this far ahead of the send (or
	// the context's, if sooner), and a long dump another one every few
	// datagrams (every 8; each deadline is set between 15/16 and all of
	// Timeout ahead). A request that times out fails with an error matching
	// ErrTimeout; in Apply its Result is Uncertain. Default DefaultTimeout;
	// negative: no deadline but the context's.
	Timeout time.Duration
}

// DefaultTimeout is Options.Timeout when unset: far above any answer of a
// working kernel (a dump datagram takes microseconds), short enough that a
// stuck exchange fails a round instead of stalling the daemon.
const DefaultTimeout = 5 * time.Second

func (o Options) withDefaults() Options {
	if o.BatchSize <= 0 {
		o.BatchSize = 128
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = 64 << 10
	}
	if o.ReadSockets <= 0 {
		o.ReadSockets = 2
	}
	if o.RecvBufferBytes < 4096 {
		o.RecvBufferBytes = dumpRecvBufferBytes
	}
	if o.ReaderBufferBytes < 4096 {
		o.ReaderBufferBytes = o.RecvBufferBytes
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	return o
}

// Client talks to IPVS over one long-lived generic netlink socket. It is safe
// for concurrent use: exchanges are serialized.
type Client struct {
	mu      sync.Mutex
	t       Socket
	opts    Options
	family  uint16
	seq     atomic.Uint32
	buf     []byte
	main    *sock // t and buf, with the request buffer and deadline
	closed  bool
	dialer  func() (Socket, error) // opens another socket for parallel dumps
	readers []*sock                // extra sockets, opened on first Snapshot
}

// sock is a socket with its receive buffer, a request buffer reused by
// every exchange on it, and what it knows of the socket's deadline.
type sock struct {
	t   Socket
	buf []byte
	req []byte
	// deadline is the deadline last set through this sock (valid when
	// known); armed is the one arm last set (zero: none since setDeadline).
	deadline time.Time
	known    bool
	armed    time.Time
	// scratch holds the destinations of VisitDestinations' current dump,
	// reused from one dump to the next.
	scratch []Destination
}

func newSock(t Socket, bufBytes int) *sock {
	return &sock{t: t, buf: make([]byte, bufBytes)}
}

// setDeadline sets s's deadline for a whole exchange (zero: none) and
// makes the next arm set its own. Setting the deadline the socket already
// has is skipped: a runtime timer update is not free.
func (s *sock) setDeadline(d time.Time) {
	s.armed = time.Time{}
	if s.known && s.deadline.Equal(d) {
		return
	}
	s.set(d)
}

// set sets the socket's deadline and records it.
func (s *sock) set(d time.Time) {
	s.deadline, s.known = d, true
	s.t.SetDeadline(d)
}

// forget records that the deadline may have been set behind s's back (a
// context's cancellation expires it from another goroutine).
func (s *sock) forget() { s.known = false }

var _ IPVS = (*Client)(nil)

// NewClient returns a Client over the socket dial opens; dial is called
// again for the extra sockets of parallel dumps (Options.ReadSockets). It
// resolves the IPVS family once. Dial is NewClient over the kernel's
// sockets; kerneltest.IPVS.Dial over the fake's.
func NewClient(dial func() (Socket, error), o Options) (*Client, error) {
	t, err := dial()
	if err != nil {
		return nil, err
	}
	return newClient(t, dial, o)
}

// newClient resolves the IPVS family over t.
func newClient(t Socket, dialer func() (Socket, error), o Options) (*Client, error) {
	o = o.withDefaults()
	m := newSock(t, o.RecvBufferBytes)
	c := &Client{t: t, opts: o, buf: m.buf, main: m, dialer: dialer}
	c.seq.Store(uint32(time.Now().UnixNano()))
	if err := c.resolveFamily(); err != nil {
		t.Close()
		return nil, err
	}
	return c, nil
}

// Close releases the socket. Calls after Close fail with ErrClosed.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	for _, r := range c.readers {
		r.t.Close()
	}
	return c.t.Close()
}

// resolveFamily asks nlctrl for the IPVS family ID.
func (c *Client) resolveFamily() error {
	ae := netlink.NewAttributeEncoder()
	ae.String(wire.CtrlAttrFamilyName, wire.GenlName)
	b, _ := ae.Encode()
	replies, err := c.exchangeType(context.Background(), wire.GenlIDCtrl, wire.CtrlCmdGetFamily, b, false)
	if errors.Is(err, syscall.ENOENT) {
		return ErrFamilyNotFound
	}
	if err != nil {
		return fmt.Errorf("resolve IPVS generic netlink family: %w", err)
	}
	for _, r := range replies {
		_, a, err := wire.SplitGenl(r.Payload)
		if err != nil {
			return err
		}
		ad, err := wire.Attrs(a)
		if err != nil {
			return err
		}
		for ad.Next() {
			if ad.Type() == wire.CtrlAttrFamilyID {
				c.family = ad.Uint16()
			}
		}
		if err := ad.Err(); err != nil {
			return wire.AttrError("nlctrl reply", err)
		}
	}
	if c.family == 0 {
		return ErrFamilyNotFound
	}
	return nil
}

// begin locks the client and applies ctx's deadline and cancellation to the
// socket; the returned function undoes both.
func (c *Client) begin(ctx context.Context) (func(), error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		c.mu.Unlock()
		return nil, err
	}
	d, _ := ctx.Deadline()
	c.main.setDeadline(d)
	stop := context.AfterFunc(ctx, func() { c.t.SetDeadline(time.Unix(1, 0)) })
	return func() {
		if !stop() {
			c.main.forget()
		}
		c.main.setDeadline(time.Time{})
		c.mu.Unlock()
	}, nil
}

func (c *Client) nextSeq() uint32 {
	for {
		if s := c.seq.Add(1); s != 0 {
			return s
		}
	}
}

// exchange sends one IPVS request and returns its replies (for a dump: every
// message before NLMSG_DONE). A kernel error comes back as a syscall.Errno.
func (c *Client) exchange(ctx context.Context, cmd uint8, attrs []byte, dump bool) ([]wire.Message, error) {
	return c.exchangeType(ctx, c.family, cmd, attrs, dump)
}

func (c *Client) exchangeType(ctx context.Context, typ uint16, cmd uint8, attrs []byte, dump bool) ([]wire.Message, error) {
	end, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	return c.lockedExchange(ctx, typ, cmd, attrs, dump)
}

func (c *Client) lockedExchange(ctx context.Context, typ uint16, cmd uint8, attrs []byte, dump bool) ([]wire.Message, error) {
	return c.exchangeOn(ctx, c.main, typ, cmd, attrs, dump)
}

// exchangeOn runs one request on s and returns copies of its replies; the
// caller holds c.mu and owns s.
func (c *Client) exchangeOn(ctx context.Context, s *sock, typ uint16, cmd uint8, attrs []byte, dump bool) ([]wire.Message, error) {
	var replies []wire.Message
	err := c.request(ctx, s, typ, cmd, attrs, dump, func(m wire.Message) error {
		m.Payload = append([]byte(nil), m.Payload...)
		replies = append(replies, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return replies, nil
}

// request sends one request on s and hands each reply (every message of a
// dump before NLMSG_DONE) to each, whose payload aliases s.buf. A kernel
// error comes back as a syscall.Errno; the first error from each is
// returned after the rest of the replies are read (a dump left running
// would make the socket's next dump fail with EBUSY). The caller holds
// c.mu and owns s.
func (c *Client) request(ctx context.Context, s *sock, typ uint16, cmd uint8, attrs []byte, dump bool, each func(wire.Message) error) error {
	seq := c.nextSeq()
	flags := uint16(wire.NlmFRequest | wire.NlmFAck)
	if dump {
		flags = wire.NlmFRequest | wire.NlmFDump
	}
	s.req = wire.AppendRequest(s.req[:0], typ, flags, seq, cmd, attrs)
	c.arm(ctx, s)
	if err := s.t.Send(s.req); err != nil {
		return c.waitErr(ctx, err)
	}
	var eachErr error // the first; later replies are drained, so no dump stays running
	err := c.receive(ctx, s, func(m wire.Message) (bool, error) {
		if m.Seq != seq {
			return false, nil // a late answer to an abandoned request
		}
		switch m.Type {
		case wire.NlmsgError:
			errno, _, err := wire.ErrorCode(m.Payload)
			if err != nil {
				return true, err
			}
			if errno != 0 {
				return true, syscall.Errno(errno)
			}
			return true, nil
		case wire.NlmsgDone:
			if len(m.Payload) >= 4 {
				if errno := -int32(binary.NativeEndian.Uint32(m.Payload)); errno > 0 {
					return true, syscall.Errno(errno)
				}
			}
			return true, nil
		case wire.NlmsgNoop, wire.NlmsgOverrun:
			return false, nil
		}
		if err := each(m); err != nil && eachErr == nil {
			eachErr = err
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	return eachErr
}

// receive reads datagrams from s and hands each message to each until it
// reports done or an error. The caller armed the deadline when it sent the
// request; receive arms it again every rearmDatagrams datagrams. The
// messages' payloads alias s.buf: each must copy what it keeps.
func (c *Client) receive(ctx context.Context, s *sock, each func(wire.Message) (done bool, err error)) error {
	for i := 1; ; i++ {
		if i%rearmDatagrams == 0 {
			c.arm(ctx, s)
		}
		n, err := s.t.Recv(s.buf)
		if err != nil {
			return c.waitErr(ctx, err)
		}
		for b := s.buf[:n]; len(b) > 0; {
			var m wire.Message
			if m, b, err = wire.NextMessage(b); err != nil {
				return err
			}
			if done, err := each(m); done || err != nil {
				return err
			}
		}
	}
}

// ctxErr prefers the context's error over the deadline error it caused.
func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%w (%v)", cerr, err)
	}
	return err
}
