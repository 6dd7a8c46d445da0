package vrrp

import "time"

// apply carries out the machine's actions: send, then report.
func (n *Node) apply(m *Machine, a Actions) {
	if a.Send {
		n.send(m.Advert(a.SendPriority))
	}
	if !a.Changed {
		return
	}
	prev := n.State()
	n.state.Store(uint32(a.State))
	n.c.transitions[prev][a.State].Add(1)
	ev := Event{
		State: a.State, Prev: prev, Reason: a.Reason, At: n.clock.Now(),
		Priority: m.Priority(), Master: m.MasterAddr(),
		Accept: a.State == Master && (n.cfg.AcceptMode || m.Priority() == 255),
	}
	n.log.Info("vrrp state change", "from", prev, "to", a.State, "reason", a.Reason,
		"priority", ev.Priority, "master", ev.Master)
	select {
	case n.events <- ev:
	default:
		n.c.eventsDropped.Add(1)
	}
}

func (n *Node) send(a Advert) {
	if err := n.conn.Send(a); err != nil {
		n.c.sendErrors.Add(1)
		n.log.Warn("vrrp send advert", "priority", a.Priority, "err", err)
		return
	}
	n.c.sent.Add(1)
}

// receive reads packets until the Conn is closed, counts drops and passes
// valid adverts to the loop.
func (n *Node) receive() {
	for {
		p, err := n.conn.Receive()
		if err != nil {
			if n.closing.Load() {
				return
			}
			n.log.Warn("vrrp receive", "err", err)
			time.Sleep(10 * time.Millisecond) // a closed or broken socket must not spin
			continue
		}
		at := n.clock.Now().Add(-p.Age)
		a, err := n.filter.check(p)
		if err != nil {
			r, _ := reasonOf(err)
			n.c.drops[r].Add(1)
			n.log.Debug("vrrp drop", "src", p.Src, "reason", r, "err", err)
			continue
		}
		n.c.received.Add(1)
		select {
		case n.rx <- received{src: p.Src, at: at, adv: a}:
		case <-n.done:
			return
		}
	}
}
