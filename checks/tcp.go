package checks

import (
	"context"
	"fmt"
)

// tcpChecker connects, optionally sends, and optionally matches the reply.
type tcpChecker struct {
	send   []byte
	expect *matcher
}

// plain reports whether the check is a bare connect (no send, no expect).
func (c *tcpChecker) plain() bool { return len(c.send) == 0 && c.expect.empty() }

func (c *tcpChecker) check(ctx context.Context, t Target) error {
	if c.plain() {
		return connectOnly(ctx, t)
	}
	conn, err := dialer(t).DialContext(ctx, "tcp", t.AddrPort().String())
	if err != nil {
		return fmt.Errorf("connect to %s: %w", t, timeoutError(err))
	}
	defer abort(conn)
	return converse(ctx, conn, t, c.send, c.expect)
}

func (c *tcpChecker) close() {}
