package kernel

import (
	"context"
	"fmt"
	"syscall"

	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
)

// stopDaemon sends IPVS_CMD_DEL_DAEMON followed, in the same sendmsg, by a
// GET_DAEMON dump that serves as a barrier. The kernel stops a sync thread
// with kthread_stop, which returns -EINTR when the thread had not run yet
// (a daemon stopped right after it was started); genetlink then sends no
// acknowledgement at all, although the daemon is gone. Netlink handles a
// socket's messages in order, so the dump's replies arriving without an
// acknowledgement before them means none is coming: the dump then says
// whether the daemon stopped.
func (c *Client) stopDaemon(ctx context.Context, attrs []byte, state DaemonState) error {
	end, err := c.begin(ctx)
	if err != nil {
		return err
	}
	defer end()
	s := c.main
	delSeq, dumpSeq := c.nextSeq(), c.nextSeq()
	req := wire.AppendMessage(nil, wire.Message{Type: c.family, Flags: wire.NlmFRequest | wire.NlmFAck, Seq: delSeq,
		Payload: wire.GenlPayload(wire.CmdDelDaemon, attrs)})
	req = wire.AppendMessage(req, wire.Message{Type: c.family, Flags: wire.NlmFRequest | wire.NlmFDump, Seq: dumpSeq,
		Payload: wire.GenlPayload(wire.CmdGetDaemon, nil)})
	c.arm(ctx, s)
	if err := s.t.Send(req); err != nil {
		return c.waitErr(ctx, err)
	}
	var dump []wire.Message
	var stopErr error
	err = c.receive(ctx, s, func(m wire.Message) (bool, error) {
		switch {
		case m.Seq == delSeq && m.Type == wire.NlmsgError:
			errno, _, err := wire.ErrorCode(m.Payload)
			if err != nil {
				return true, err
			}
			if errno != 0 {
				return true, syscall.Errno(errno)
			}
			return true, nil // the dump's replies that follow are dropped as late answers
		case m.Seq != dumpSeq || m.Type == wire.NlmsgNoop || m.Type == wire.NlmsgOverrun:
			return false, nil
		case m.Type == wire.NlmsgDone || m.Type == wire.NlmsgError:
			stopErr = stoppedByDump(dump, state)
			return true, nil
		}
		dump = append(dump, wire.Message{Type: m.Type, Payload: append([]byte(nil), m.Payload...)})
		return false, nil
	})
	if err != nil {
		return err
	}
	return stopErr
}

// stoppedByDump decides a stop the kernel did not acknowledge from the
// GET_DAEMON dump that followed it: nil when no daemon in state runs.
func stoppedByDump(dump []wire.Message, state DaemonState) error {
	for _, m := range dump {
		_, a, err := wire.SplitGenl(m.Payload)
		if err != nil {
			return err
		}
		nest, err := wire.Nested(a, wire.AttrDaemon)
		if err != nil {
			return err
		}
		d, err := decodeDaemon(nest)
		if err != nil {
			return fmt.Errorf("dump sync daemons: %w", err)
		}
		if d.State == state {
			return fmt.Errorf("the kernel did not acknowledge the stop and the daemon still runs: %w", ErrUncertain)
		}
	}
	return nil
}
