package vrrp

import "net/netip"

// SetHandoff sets f to run on the node's goroutine each time the node, as
// Master, reads a priority-0 advert from src: the router that was master
// before it has let go of the VIPs (it stopped or stepped down, or this
// node preempted it and it sent its handoff advert after its release). A
// daemon that waits before taking the VIPs from a preempted master takes
// them when f runs. f must not block. Call it before Run.
func (n *Node) SetHandoff(f func(src netip.Addr)) { n.handoff = f }

// receiveAdvert feeds an advert to the machine, carries out its actions,
// then runs the handoff hook.
func (n *Node) receiveAdvert(m *Machine, r received) {
	n.apply(m, m.Receive(r.at, r.src, r.adv))
	if r.adv.Priority == 0 && m.State() == Master && n.handoff != nil {
		n.handoff(r.src)
	}
}
