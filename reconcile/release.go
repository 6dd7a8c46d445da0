package reconcile

import (
	"context"
	"errors"
	"fmt"
)

// Release gives up mastership now: it sets the loop's mastership to false,
// removes the VIP addresses and switches the connection-sync daemon to the
// backup role, and returns when that is done, with what failed. IPVS is not
// touched: a backup keeps it programmed. It runs on the loop's goroutine
// (so no round in flight adds the addresses back), or inline once Run has
// returned; ctx bounds the wait and the work. A round that follows keeps
// the addresses removed until SetMaster(true).
func (l *Loop) Release(ctx context.Context) error {
	done := make(chan error, 1)
	release := func() { l.master = false; done <- l.releaseNow(ctx) }
	select {
	case l.calls <- release:
	case <-l.stopped:
		release()
	case <-ctx.Done():
		return fmt.Errorf("leave mastership: %w", ctx.Err())
	}
	select {
	case err := <-done:
		return err
	case <-l.stopped: // Run returned with the input still queued
		select {
		case err := <-done:
			return err
		default:
			release()
			return <-done
		}
	case <-ctx.Done():
		return fmt.Errorf("leave mastership: the loop is busy: %w", ctx.Err())
	}
}

// releaseNow removes the VIPs and switches the sync daemon to backup.
func (l *Loop) releaseNow(ctx context.Context) error {
	var vipErr, syncErr error
	if l.o.VIPs != nil {
		held, err := l.o.VIPs.Sync(ctx, nil, addressPolicyOf(l.cfg))
		if err != nil {
			vipErr = fmt.Errorf("remove VIP addresses: %w", err)
		}
		l.setStatus(func(s *Status) { s.Master, s.Addresses = false, held })
	}
	if l.o.SyncDaemons != nil {
		if err := syncDaemons(ctx, l.o.SyncDaemons, l.cfg, false); err != nil {
			syncErr = fmt.Errorf("switch the sync daemon to backup: %w", err)
		}
	}
	return errors.Join(vipErr, syncErr)
}
