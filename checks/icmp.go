package checks

import (
	"context"
	"fmt"
)

// icmpChecker sends one echo request on the shared socket of the target's
// family and waits for the matching reply.
type icmpChecker struct {
	pingers *pingers
}

func (c *icmpChecker) check(ctx context.Context, t Target) error {
	p, err := c.pingers.get(t.Address.Unmap())
	if err != nil {
		return fmt.Errorf("ping %s: %w", t.Address, err)
	}
	seq, pg, err := p.register(t.Address.Unmap())
	if err != nil {
		return fmt.Errorf("ping %s: %w", t.Address, err)
	}
	defer p.unregister(seq)
	if err := p.send(seq, pg); err != nil {
		return fmt.Errorf("ping %s: send echo request: %w", t.Address, err)
	}
	select {
	case <-pg.reply:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("ping %s: no echo reply: %w", t.Address, timeoutError(ctx.Err()))
	}
}

func (c *icmpChecker) close() {}
