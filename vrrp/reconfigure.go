package vrrp

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
)

// ErrNewRouter is wrapped by Reconfigure when the new Config is another
// virtual router: a different interface, VRID, address family, source
// address or advert timing, or new peers on a Conn that cannot change
// them. The caller shuts the node down and starts a new one.
var ErrNewRouter = errors.New("the change needs a new virtual router")

// PeerSetter is a Conn whose unicast peers can change while it is open
// (Listen's can): SetPeers(nil) goes back to the multicast group. It is
// called on the node's goroutine, between sends.
type PeerSetter interface {
	SetPeers(peers []netip.Addr) error
}

// Reconfigure applies cfg to the running virtual router without leaving
// its state (Machine.Reconfigure says what each change does): priority,
// advert interval, preempt and its delay, accept mode, VIPs, tracked
// interfaces and unicast peers change in place; a Master announces a new
// priority, interval or VIP list at once. A change of what identifies the
// router returns an error wrapping ErrNewRouter and changes nothing. The
// advert timing thread keeps the priority and path it started with
// (RealtimePriority, RuntimeTimedAdverts, AdvertSender): a change of those is logged and
// takes effect when the router is next created. It waits for Run to apply
// the change.
func (n *Node) Reconfigure(cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	var err error
	derr := n.do(func(m *Machine) Actions {
		if what := n.cfg.identityChange(cfg); what != "" {
			err = fmt.Errorf("reconfigure vrrp VRID %d on %s: %s changed: %w", n.cfg.VRID, n.cfg.Interface, what, ErrNewRouter)
			return Actions{}
		}
		if err = n.setPeers(cfg.Peers); err != nil {
			return Actions{}
		}
		if !slices.Equal(cfg.TrackInterfaces, n.cfg.TrackInterfaces) {
			n.trackLinks(cfg.TrackInterfaces)
		}
		n.cfg.Priority, n.cfg.AdvertInterval = cfg.Priority, cfg.AdvertInterval
		n.cfg.Preempt, n.cfg.PreemptDelay, n.cfg.AcceptMode = cfg.Preempt, cfg.PreemptDelay, cfg.AcceptMode
		n.cfg.Peers, n.cfg.VIPs, n.cfg.TrackInterfaces = cfg.Peers, cfg.VIPs, cfg.TrackInterfaces
		if cfg.RealtimePriority != n.cfg.RealtimePriority || cfg.RuntimeTimedAdverts != n.cfg.RuntimeTimedAdverts ||
			cfg.AdvertSender != n.cfg.AdvertSender {
			n.log.Warn("vrrp advert timing settings take effect at the next start of the router",
				"realtime_priority", n.cfg.RealtimePriority, "wanted", cfg.RealtimePriority,
				"advert_sender", n.cfg.AdvertSender, "wanted_sender", cfg.AdvertSender)
		}
		n.log.Info("vrrp reconfigured", "priority", cfg.Priority, "advert_interval", cfg.AdvertInterval,
			"preempt", cfg.Preempt, "vips", len(cfg.VIPs), "peers", len(cfg.Peers))
		return m.Reconfigure(cfg.params(n.conn.Primary()), n.clock.Now())
	})
	return errors.Join(derr, err)
}

// StartHeld makes Run start the router as Master (Machine.StartHeld)
// instead of Backup: for a node that already holds the VIPs, such as a
// standalone node whose configuration gained a vrrp section. Call it
// before Run.
func (n *Node) StartHeld() { n.startHeld = true }

// start is the Startup event: StartHeld's, or the RFC's.
func (n *Node) start(m *Machine) Actions {
	if n.startHeld {
		n.startHeld = false // a link that comes back starts as Backup
		return m.StartHeld(n.clock.Now())
	}
	return m.Start(n.clock.Now())
}

// identityChange names the first field of o that makes it another virtual
// router than c, or returns "".
func (c Config) identityChange(o Config) string {
	switch {
	case c.Interface != o.Interface:
		return "interface"
	case c.VRID != o.VRID:
		return "vrid"
	case c.IPv6() != o.IPv6():
		return "address family"
	case c.Source != o.Source:
		return "source address"
	case c.KernelTimedAdverts != o.KernelTimedAdverts:
		return "kernel-timed adverts"
	}
	return ""
}

// setPeers points the Conn and the receive filter at peers; it runs on
// Run's goroutine.
func (n *Node) setPeers(peers []netip.Addr) error {
	if slices.Equal(peers, n.cfg.Peers) {
		return nil
	}
	ps, ok := n.conn.(PeerSetter)
	if !ok {
		return fmt.Errorf("reconfigure vrrp VRID %d on %s: peers changed and the connection cannot change them: %w", n.cfg.VRID, n.cfg.Interface, ErrNewRouter)
	}
	if err := ps.SetPeers(peers); err != nil {
		return fmt.Errorf("reconfigure vrrp VRID %d on %s: set peers %v: %w", n.cfg.VRID, n.cfg.Interface, peers, err)
	}
	n.filter.setPeers(peers)
	return nil
}

// tracking is the goroutine that follows the tracked interfaces: it sends
// the total penalty on ch; penalty is the last one read. All of it belongs
// to Run's goroutine.
type tracking struct {
	ctx     context.Context // Run's; set before the first trackLinks
	cancel  context.CancelFunc
	ch      chan int // nil while nothing is tracked
	penalty int
}

// trackLinks (re)starts following tracks; the penalty starts at zero and
// the new goroutine reports the current one at once.
func (n *Node) trackLinks(tracks []TrackInterface) {
	if n.trk.cancel != nil {
		n.trk.cancel()
	}
	n.trk.cancel, n.trk.ch, n.trk.penalty = nil, nil, 0
	if len(tracks) == 0 {
		return
	}
	ctx, cancel := context.WithCancel(n.trk.ctx)
	ch := make(chan int, 1)
	n.trk.cancel, n.trk.ch = cancel, ch
	go trackLinks(ctx, slices.Clone(tracks), linkUp, ch)
}
