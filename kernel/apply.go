package kernel

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
)

// Apply runs ops in order, writing up to Options.BatchSize requests per
// sendmsg (bounded by Options.BatchBytes), and matches every acknowledgement
// to its op by sequence number. It returns one Result per op; a failed op
// does not stop the others. When acknowledgements are lost (ENOBUFS, a
// deadline, a cancelled context) the affected results are Uncertain. The
// error is non-nil only if the client is closed or ctx is already done.
func (c *Client) Apply(ctx context.Context, ops []Op) ([]Result, error) {
	end, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	results := make([]Result, len(ops))
	for i := range ops {
		results[i].Op = ops[i]
	}
	b := batcher{c: c, ctx: ctx, results: results, pending: map[uint32]int{}}
	for i, op := range ops {
		if err := validateOp(op); err != nil {
			results[i].Err = &OpError{Op: op.String(), Err: err}
			continue
		}
		payload, err := encodeOp(op)
		if err != nil {
			results[i].Err = &OpError{Op: op.String(), Err: err}
			continue
		}
		if b.full(len(payload)) {
			b.flush()
		}
		b.add(i, payload)
	}
	b.flush()
	return results, nil
}

// batcher accumulates requests for one sendmsg and collects their acks.
type batcher struct {
	c       *Client
	ctx     context.Context
	results []Result
	buf     []byte
	idx     []int
	pending map[uint32]int // seq -> op index
	broken  error          // set once the socket failed: later ops are not sent
}

func (b *batcher) full(next int) bool {
	return len(b.idx) >= b.c.opts.BatchSize ||
		(len(b.idx) > 0 && len(b.buf)+wire.NlmsgHeaderLen+next > b.c.opts.BatchBytes)
}

func (b *batcher) add(i int, payload []byte) {
	seq := b.c.nextSeq()
	b.buf = wire.AppendMessage(b.buf, wire.Message{Type: b.c.family, Flags: wire.NlmFRequest | wire.NlmFAck, Seq: seq, Payload: payload})
	b.idx = append(b.idx, i)
	b.pending[seq] = i
}

// flush sends the batch and waits for every ack of it.
func (b *batcher) flush() {
	defer func() { b.buf, b.idx = b.buf[:0], b.idx[:0]; clear(b.pending) }()
	if len(b.idx) == 0 {
		return
	}
	if b.broken == nil {
		b.c.arm(b.ctx, b.c.main)
		if err := b.c.t.Send(b.buf); err != nil {
			b.broken = b.c.waitErr(b.ctx, err)
		} else {
			b.collect()
			return
		}
	}
	for _, i := range b.idx { // never sent: certain failure
		b.results[i].Err = &OpError{Op: b.results[i].Op.String(), Err: b.broken}
	}
}

// collect reads acks until every pending op has one or the socket fails.
// After ENOBUFS (the kernel dropped some acks) it sends a sentinel request:
// once the sentinel's answer arrives, every ack still missing is known to be
// lost, and only those ops are uncertain.
func (b *batcher) collect() {
	var sentinel uint32
	for len(b.pending) > 0 {
		b.c.arm(b.ctx, b.c.main)
		n, err := b.c.t.Recv(b.c.buf)
		if errors.Is(err, syscall.ENOBUFS) {
			if sentinel, err = b.sendSentinel(); err == nil {
				continue
			}
		}
		if err != nil {
			b.uncertain(b.c.waitErr(b.ctx, err))
			return
		}
		msgs, err := wire.SplitMessages(b.c.buf[:n])
		for _, m := range msgs {
			if m.Type == wire.NlmsgError && m.Seq == sentinel && sentinel != 0 {
				b.uncertain(syscall.ENOBUFS)
				return
			}
			b.ack(m)
		}
		if err != nil {
			b.uncertain(err)
			return
		}
	}
}

// ack records the outcome carried by m if it answers a pending op.
func (b *batcher) ack(m wire.Message) {
	if m.Type != wire.NlmsgError {
		return
	}
	errno, seq, err := wire.ErrorCode(m.Payload)
	i, ok := b.pending[m.Seq]
	if !ok || err != nil || seq != m.Seq {
		return
	}
	delete(b.pending, m.Seq)
	if errno != 0 {
		op := b.results[i].Op
		b.results[i].Err = kernelError(op.String(), op.Kind, syscall.Errno(errno))
	}
}

// sendSentinel sends a harmless GET_INFO whose acknowledgement marks the end
// of the batch's answers.
func (b *batcher) sendSentinel() (uint32, error) {
	seq := b.c.nextSeq()
	req := wire.AppendMessage(nil, wire.Message{Type: b.c.family, Flags: wire.NlmFRequest | wire.NlmFAck, Seq: seq, Payload: wire.GenlPayload(wire.CmdGetInfo, nil)})
	b.c.arm(b.ctx, b.c.main)
	return seq, b.c.t.Send(req)
}

// uncertain marks every op still waiting for an ack. ENOBUFS means the
// kernel dropped some acks but processed the batch; other errors mean the
// socket can no longer be trusted for this Apply.
func (b *batcher) uncertain(cause error) {
	for _, i := range b.pending {
		b.results[i].Uncertain = true
		b.results[i].Err = &OpError{Op: b.results[i].Op.String(), Err: fmt.Errorf("%w: %w", ErrUncertain, cause)}
	}
	if !errors.Is(cause, syscall.ENOBUFS) {
		b.broken = cause
	}
}
