package kernel

import (
	"encoding/binary"
	"errors"
	"sync"
	"syscall"
	"time"
)

// errWouldBlock is what a fake receive returns when the kernel would have
// made the caller wait forever: nothing is queued.
var errWouldBlock = errors.New("fake: receive would block: no datagram queued")

// fakeTransport is one "socket" on a Fake: requests run synchronously inside
// send, like netlink_rcv_skb, and their answers queue as datagrams.
type fakeTransport struct {
	f       *Fake
	mu      sync.Mutex
	queue   [][]byte
	enobufs bool
	closed  bool
	sends   int // sendmsg calls, for tests of batching
}

func (t *fakeTransport) send(b []byte) error {
	msgs, err := splitMessages(b)
	if err != nil {
		return syscall.EINVAL
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return syscall.EBADF
	}
	t.sends++
	for _, m := range msgs {
		if m.Flags&nlmFRequest == 0 {
			continue
		}
		replies, errno := t.f.handle(m)
		if m.Flags&nlmFDump == nlmFDump && errno == 0 {
			t.queueDump(m, replies)
			continue
		}
		for _, r := range replies {
			t.queue = append(t.queue, appendMessage(nil, message{Type: r.typ, Seq: m.Seq, Payload: r.payload}))
		}
		if m.Flags&nlmFAck != 0 || errno != 0 {
			if t.f.takeLostAck() {
				t.enobufs = true
				continue
			}
			ack := message{Type: nlmsgError, Flags: nlmFCapped, Seq: m.Seq, Payload: errorPayload(int(errno), m)}
			t.queue = append(t.queue, appendMessage(nil, ack))
		}
	}
	return nil
}

// queueDump packs a dump into datagrams of at most 32 KiB, then NLMSG_DONE.
func (t *fakeTransport) queueDump(req message, replies []fakeReply) {
	var dg []byte
	for _, r := range replies {
		m := appendMessage(nil, message{Type: r.typ, Flags: nlmFMulti, Seq: req.Seq, Payload: r.payload})
		if len(dg)+len(m) > 32<<10 {
			t.queue, dg = append(t.queue, dg), nil
		}
		dg = append(dg, m...)
	}
	if dg != nil {
		t.queue = append(t.queue, dg)
	}
	done := message{Type: nlmsgDone, Flags: nlmFMulti, Seq: req.Seq, Payload: binary.NativeEndian.AppendUint32(nil, 0)}
	t.queue = append(t.queue, appendMessage(nil, done))
}

func (t *fakeTransport) recv(b []byte) (int, error) {
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
		return 0, ErrMalformed
	}
	t.queue = t.queue[1:]
	return n, nil
}

func (t *fakeTransport) setDeadline(time.Time) error { return nil }

func (t *fakeTransport) close() error {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	return nil
}

func (f *Fake) takeLostAck() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.loseAcks > 0 {
		f.loseAcks--
		return true
	}
	return false
}
