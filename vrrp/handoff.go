package vrrp

import (
	"net/netip"
	"time"
)

// SetHandoff sets f to run on the node's goroutine each time the node, as
// Master, reads a priority-0 advert from src: the router that was master
// before it has let go of the VIPs (it stopped or stepped down, or this
// node preempted it and it sent its handoff advert after its release). A
// daemon that waits before taking the VIPs from a preempted master takes
// them when f runs. f must not block. Call it before Run.
func (n *Node) SetHandoff(f func(src netip.Addr)) { n.handoff = f }

// LastRivalAdvert returns when the node, as Master, last read an advert
// of another router that it outranks: a master that has not yet yielded
// (it has not read this node's adverts, or is slow to act on them). The
// zero time if none. A daemon that waits for a preempted master to let go
// of the VIPs keeps waiting while it still advertises.
func (n *Node) LastRivalAdvert() time.Time {
	if ns := n.rivalAt.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// receiveAdvert feeds an advert to the machine, carries out its actions,
// then runs the handoff hook or notes a rival (LastRivalAdvert,
// LowerPriorityAdverts), and logs an interval other than this node's
// (interval.go). A priority-0 advert is
// logged: it starts a takeover (a Backup takes over after Skew_Time), and
// the log's times then show where a handover spends its time.
func (n *Node) receiveAdvert(m *Machine, r received) {
	n.apply(m, m.Receive(r.at, r.src, r.adv))
	n.noteInterval(r)
	if r.adv.Priority == 0 {
		n.log.Info("vrrp priority-0 advert received", "src", r.src, "state", m.State(), "read_after", n.clock.Now().Sub(r.at))
	}
	if m.State() != Master {
		return
	}
	switch {
	case r.adv.Priority == 0 && n.handoff != nil:
		n.handoff(r.src)
	case r.adv.Priority != 0:
		n.rivalAt.Store(r.at.UnixNano())
		n.noteLowerPriority(r.src)
	}
}
