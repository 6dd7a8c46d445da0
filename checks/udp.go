package checks

import (
	"context"
	"fmt"
)

// udpChecker sends one datagram on a connected socket and waits for a reply.
// The socket is connected so that an ICMP port unreachable surfaces as
// ECONNREFUSED on read: a fast failure instead of a timeout.
type udpChecker struct {
	send   []byte
	expect *matcher
}

func (c *udpChecker) check(ctx context.Context, t Target) error {
	conn, err := dialer(t).DialContext(ctx, "udp", t.AddrPort().String())
	if err != nil {
		return fmt.Errorf("open udp socket to %s: %w", t, err)
	}
	defer conn.Close()
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	if _, err := conn.Write(c.send); err != nil {
		return fmt.Errorf("send to %s: %w", t, timeoutError(err))
	}
	buf := make([]byte, maxDatagram)
	n, err := conn.Read(buf)
	if err != nil {
		return fmt.Errorf("wait for reply from %s: %w", t, timeoutError(err))
	}
	if !c.expect.match(buf[:n]) {
		return fmt.Errorf("reply from %s: %w: %s not found in %d bytes: %q",
			t, ErrMismatch, c.expect.describe(), n, excerpt(buf[:n]))
	}
	return nil
}

func (c *udpChecker) close() {}

// maxDatagram is the largest UDP payload a check reads.
const maxDatagram = 64 << 10
