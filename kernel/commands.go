package kernel

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
)

// Do runs one op and returns its error (Apply for a single op).
func (c *Client) Do(ctx context.Context, op Op) error {
	res, err := c.Apply(ctx, []Op{op})
	if err != nil {
		return err
	}
	return res[0].Err
}

// Info reads the IPVS version and connection table size.
func (c *Client) Info(ctx context.Context) (Info, error) {
	a, err := c.singleReply(ctx, wire.CmdGetInfo, "get IPVS info")
	if err != nil {
		return Info{}, err
	}
	return decodeInfo(a)
}

// Timeouts reads the TCP, TCP FIN and UDP connection timeouts.
func (c *Client) Timeouts(ctx context.Context) (Timeouts, error) {
	a, err := c.singleReply(ctx, wire.CmdGetConfig, "get timeouts")
	if err != nil {
		return Timeouts{}, err
	}
	return decodeTimeouts(a)
}

// singleReply runs a doit command without attributes that answers with one
// message, and returns that message's attributes.
func (c *Client) singleReply(ctx context.Context, cmd uint8, what string) ([]byte, error) {
	msgs, err := c.exchange(ctx, cmd, nil, false)
	if err != nil {
		return nil, wrapCmd(what, err)
	}
	if len(msgs) != 1 {
		return nil, fmt.Errorf("%s: %w: %d replies", what, ErrMalformed, len(msgs))
	}
	_, a, err := wire.SplitGenl(msgs[0].Payload)
	return a, err
}

// SetTimeouts sets the connection timeouts; a zero field is left unchanged.
func (c *Client) SetTimeouts(ctx context.Context, t Timeouts) error {
	a, err := encodeTimeouts(t)
	if err != nil {
		return err
	}
	_, err = c.exchange(ctx, wire.CmdSetConfig, a, false)
	return wrapNil("set timeouts", err)
}

// NewDaemon starts a connection-sync daemon.
func (c *Client) NewDaemon(ctx context.Context, d Daemon) error {
	a, err := encodeDaemon(d, true)
	if err != nil {
		return fmt.Errorf("start %s sync daemon: %w", d.State, err)
	}
	_, err = c.exchange(ctx, wire.CmdNewDaemon, a, false)
	return wrapNil("start "+d.State.String()+" sync daemon", err)
}

// DelDaemon stops the sync daemon in the given role.
func (c *Client) DelDaemon(ctx context.Context, s DaemonState) error {
	a, err := encodeDaemon(Daemon{State: s}, false)
	if err != nil {
		return err
	}
	err = c.stopDaemon(ctx, a, s)
	if errors.Is(err, syscall.ESRCH) {
		return &OpError{Op: "stop " + s.String() + " sync daemon", Errno: syscall.ESRCH, Err: ErrNoDaemon}
	}
	return wrapNil("stop "+s.String()+" sync daemon", err)
}

// Daemons lists the running sync daemons (at most a master and a backup).
func (c *Client) Daemons(ctx context.Context) ([]Daemon, error) {
	msgs, err := c.exchange(ctx, wire.CmdGetDaemon, nil, true)
	if err != nil {
		return nil, wrapCmd("dump sync daemons", err)
	}
	var ds []Daemon
	for _, m := range msgs {
		_, a, err := wire.SplitGenl(m.Payload)
		if err != nil {
			return nil, err
		}
		nest, err := wire.Nested(a, wire.AttrDaemon)
		if err != nil {
			return nil, err
		}
		d, err := decodeDaemon(nest)
		if err != nil {
			return nil, fmt.Errorf("dump sync daemons: %w", err)
		}
		ds = append(ds, d)
	}
	return ds, nil
}

// ZeroAll zeroes the counters of every service and destination.
func (c *Client) ZeroAll(ctx context.Context) error {
	_, err := c.exchange(ctx, wire.CmdZero, nil, false)
	return wrapNil("zero counters", err)
}

// Zero zeroes the counters of service k and its destinations.
func (c *Client) Zero(ctx context.Context, k ServiceKey) error {
	a, err := serviceKeyAttrs(k)
	if err != nil {
		return err
	}
	_, err = c.exchange(ctx, wire.CmdZero, a, false)
	return wrapNil("zero counters of service "+k.String(), err)
}

// Flush deletes every service and destination of the namespace.
func (c *Client) Flush(ctx context.Context) error {
	_, err := c.exchange(ctx, wire.CmdFlush, nil, false)
	return wrapNil("flush IPVS table", err)
}

func wrapNil(what string, err error) error {
	if err == nil {
		return nil
	}
	return wrapCmd(what, err)
}
