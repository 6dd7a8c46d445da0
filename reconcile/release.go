package reconcile

import (
	"context"
	"fmt"
	"time"
)

// Release gives up mastership now: it sets the loop's mastership to false,
// removes the VIP addresses, and returns when that is done, with what
// failed. The connection-sync daemons keep running in both roles. IPVS is not
// touched: a backup keeps it programmed. It runs on the loop's goroutine
// (so no round in flight adds the addresses back), or inline once Run has
// returned; ctx bounds the wait and the work. A round that follows keeps
// the addresses removed until SetMaster(true).
func (l *Loop) Release(ctx context.Context) error {
	done := make(chan error, 1)
	release := func() { l.master, l.instances = false, nil; done <- l.releaseNow(ctx) }
	l.interruptRound()
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

// releaseNow removes the VIPs that follow mastership; the anycast VIPs
// stay (anycast.go). The sync daemons are left running: both
// roles run on every VRRP node (syncd.go), so the connections this node
// forwarded until now still reach the new master.
func (l *Loop) releaseNow(ctx context.Context) error {
	if l.o.VIPs == nil {
		return nil
	}
	held, err := l.releaseVIPs(ctx, heldAddresses(l.cfg, mastership{}), addressPolicyOf(l.cfg))
	l.vipsFor, l.vipsSynced = mastership{}, true
	l.setStatus(func(s *Status) { s.Master, s.Addresses, s.Instances = false, held, l.instanceStatus() })
	if err != nil {
		return fmt.Errorf("remove VIP addresses: %w", err)
	}
	return nil
}

// interruptibleRound is Round under a context Release can cancel.
func (l *Loop) interruptibleRound(ctx context.Context) time.Duration {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	l.mu.Lock()
	l.roundStop = cancel
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.roundStop = nil
		l.mu.Unlock()
	}()
	return l.Round(rctx)
}

// interruptRound cancels the round in flight, if any: leaving mastership
// never waits for a round to finish (a full read of a large IPVS table
// takes seconds on a slow host), and the next round starts over.
func (l *Loop) interruptRound() {
	l.mu.Lock()
	stop := l.roundStop
	l.mu.Unlock()
	if stop != nil {
		stop()
	}
}
