package reconcile

import (
	"context"
	"fmt"
	"maps"
)

// SetInstanceMaster sets the mastership of one VRRP instance of a node
// with several: the node holds the VIPs and floating addresses of the
// instances it is master of. Like SetMaster, it returns at once; becoming
// master interrupts the round in flight (takeover.go).
func (l *Loop) SetInstanceMaster(instance string, m bool) {
	l.set(func(p *pendingInputs) {
		if p.instances == nil {
			p.instances = map[string]bool{}
		}
		p.instances[instance] = m
	})
	if m {
		l.interruptRound()
	}
}

// ReleaseInstance gives up the mastership of one VRRP instance now: it
// removes that instance's addresses, keeps those of the instances the node
// is still master of, and returns when that is done, with what failed. It
// runs on the loop's goroutine like Release (which gives up every
// instance), and so never races a round that would add them back.
func (l *Loop) ReleaseInstance(ctx context.Context, instance string) error {
	done := make(chan error, 1)
	release := func() {
		next := maps.Clone(l.instances)
		if next == nil {
			next = map[string]bool{}
		}
		next[instance] = false
		l.instances = next
		done <- l.releaseSome(ctx)
	}
	l.interruptRound()
	select {
	case l.calls <- release:
	case <-l.stopped:
		release()
	case <-ctx.Done():
		return fmt.Errorf("leave mastership of instance %s: %w", instance, ctx.Err())
	}
	select {
	case err := <-done:
		return err
	case <-l.stopped:
		select {
		case err := <-done:
			return err
		default:
			release()
			return <-done
		}
	case <-ctx.Done():
		return fmt.Errorf("leave mastership of instance %s: the loop is busy: %w", instance, ctx.Err())
	}
}

// releaseSome makes the node hold the addresses of the instances it is
// still master of, and no others.
func (l *Loop) releaseSome(ctx context.Context) error {
	if l.o.VIPs == nil {
		return nil
	}
	m := l.mastership()
	pol := addressPolicyOf(l.cfg)
	if m.holdsAny(l.cfg) {
		pol.Keep = l.keep // the guard's held VIPs stay while the node is master of anything
	}
	held, err := l.releaseVIPs(ctx, heldAddresses(l.cfg, m), pol)
	l.vipsFor, l.vipsSynced = m, true
	l.setStatus(func(s *Status) { s.Master, s.Addresses, s.Instances = m.holdsAny(l.cfg), held, l.instanceStatus() })
	if err != nil {
		return fmt.Errorf("remove VIP addresses: %w", err)
	}
	return nil
}

// mastership is the loop's mastership now; the Run goroutine's.
func (l *Loop) mastership() mastership { return mastership{def: l.master, of: l.instances} }

// instanceStatus is the mastership of each instance of the config in
// force (nil without instances).
func (l *Loop) instanceStatus() map[string]bool {
	is := l.cfg.Node.Instances()
	if len(is) == 0 {
		return nil
	}
	m := l.mastership()
	out := make(map[string]bool, len(is))
	for _, v := range is {
		out[v.Name] = m.holds(v.Name)
	}
	return out
}
