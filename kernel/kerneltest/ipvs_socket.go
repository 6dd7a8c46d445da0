package kerneltest

import (
	"encoding/binary"
	"errors"
	"sync"
	"syscall"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
)

// errWouldBlock is what a fake receive returns when the kernel would have
// made the caller wait forever: nothing is queued.
var errWouldBlock = errors.New("fake: receive would block: no datagram queued")

// fakeTransport is one socket on an IPVS fake: requests run synchronously inside
// send, like netlink_rcv_skb, and their answers queue as datagrams.
type fakeTransport struct {
	f       *IPVS
	mu      sync.Mutex
	queue   [][]byte
	enobufs bool
	closed  bool
	// deadline is the socket's deadline (zero: none); deadlineSet is
	// closed and replaced when it changes or the socket closes, waking a
	// receive waiting in a stall.
	deadline    time.Time
	deadlineSet chan struct{}
}

func (t *fakeTransport) Send(b []byte) error {
	msgs, err := wire.SplitMessages(b)
	if err != nil {
		return syscall.EINVAL
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return syscall.EBADF
	}
	t.f.sends.Add(1)
	for _, m := range msgs {
		if m.Flags&wire.NlmFRequest == 0 {
			continue
		}
		replies, errno := t.f.handle(m)
		if errno == syscall.EINTR {
			continue // netlink_rcv_skb sends no acknowledgement for -EINTR
		}
		if m.Flags&wire.NlmFDump == wire.NlmFDump && errno == 0 {
			t.queueDump(m, replies)
			continue
		}
		for _, r := range replies {
			t.queue = append(t.queue, wire.AppendMessage(nil, wire.Message{Type: r.typ, Seq: m.Seq, Payload: r.payload}))
		}
		if m.Flags&wire.NlmFAck != 0 || errno != 0 {
			if t.f.takeLostAck() {
				t.enobufs = true
				continue
			}
			ack := wire.Message{Type: wire.NlmsgError, Flags: wire.NlmFCapped, Seq: m.Seq, Payload: wire.ErrorPayload(int(errno), m)}
			t.queue = append(t.queue, wire.AppendMessage(nil, ack))
		}
	}
	return nil
}

// queueDump packs a dump into datagrams of at most 32 KiB, then NLMSG_DONE.
func (t *fakeTransport) queueDump(req wire.Message, replies []fakeReply) {
	var dg []byte
	for _, r := range replies {
		m := wire.AppendMessage(nil, wire.Message{Type: r.typ, Flags: wire.NlmFMulti, Seq: req.Seq, Payload: r.payload})
		if len(dg)+len(m) > 32<<10 {
			t.queue, dg = append(t.queue, dg), nil
		}
		dg = append(dg, m...)
	}
	if dg != nil {
		t.queue = append(t.queue, dg)
	}
	done := wire.Message{Type: wire.NlmsgDone, Flags: wire.NlmFMulti, Seq: req.Seq, Payload: binary.NativeEndian.AppendUint32(nil, 0)}
	t.queue = append(t.queue, wire.AppendMessage(nil, done))
}

func (t *fakeTransport) Recv(b []byte) (int, error) {
	if err := t.waitStall(); err != nil {
		return 0, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.closed:
		return 0, syscall.EBADF
	case t.enobufs:
		t.enobufs = false
		return 0, syscall.ENOBUFS
	case len(t.queue) == 0:
		return 0, errWouldBlock
	}
	n := copy(b, t.queue[0])
	if n < len(t.queue[0]) {
		t.queue = t.queue[1:]
		return 0, kernel.ErrMalformed
	}
	t.queue = t.queue[1:]
	return n, nil
}

func (t *fakeTransport) SetDeadline(d time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.deadline = d
	if !t.closed { // Close closed deadlineSet for good
		close(t.deadlineSet)
		t.deadlineSet = make(chan struct{})
	}
	return nil
}

func (t *fakeTransport) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.closed {
		t.closed = true
		close(t.deadlineSet)
	}
	return nil
}

func (f *IPVS) takeLostAck() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.loseAcks > 0 {
		f.loseAcks--
		return true
	}
	return false
}

// Sends returns how many sendmsg calls the fake's sockets have received, for
// tests of batching.
func (f *IPVS) Sends() int { return int(f.sends.Load()) }
