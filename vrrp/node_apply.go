package vrrp

import (
	"log/slog"
	"runtime"
	"time"
)

// apply carries out the machine's actions: send, then report.
func (n *Node) apply(m *Machine, a Actions) { n.applyAt(m, a, time.Time{}) }

// applyAt is apply with the advert leaving at at (zero: now). A Master
// that leaves mastership is Backup or Initialize (State) before its release
// hook runs, and the hook runs before the advert (priority 0 on a shutdown
// or step-down) is sent. A preempted Master sends its handoff advert only
// when the hook says the VIPs are gone: the new master takes them on it.
func (n *Node) applyAt(m *Machine, a Actions, at time.Time) {
	prev := n.State()
	released := true
	if a.Changed {
		n.state.Store(uint32(a.State))
		if ls := n.leased(); ls != nil && prev == Master && a.State != Master {
			ls.Cancel() // the sender process must not advertise past mastership
		}
		if prev == Master && a.State != Master && n.release != nil {
			released = n.release()
		}
	}
	if a.Send && !released && a.Reason == ReasonPreempted && a.SendPriority == 0 {
		n.log.Warn("vrrp handoff advert not sent: the VIPs may still be held")
	} else if a.Send {
		n.send(m.Advert(a.SendPriority), at)
	}
	if !a.Changed {
		return
	}
	n.c.transitions[prev][a.State].Add(1)
	ev := Event{
		State: a.State, Prev: prev, Reason: a.Reason, At: n.clock.Now(),
		Priority: m.Priority(), Master: m.MasterAddr(),
		Accept: a.State == Master && (n.cfg.AcceptMode || m.Priority() == 255),
		Due:    n.due,
	}
	n.events.push(ev)
	if a.State == Master {
		// A new master's VIPs wait on the consumer of this event: it runs
		// before this goroutine formats the log line (milliseconds of CPU
		// on a slow or busy host).
		runtime.Gosched()
	}
	if ev.Due.IsZero() {
		n.log.Info("vrrp state change", "from", prev, "to", a.State, "reason", a.Reason,
			"priority", ev.Priority, "master", ev.Master)
		return
	}
	n.log.Info("vrrp state change", "from", prev, "to", a.State, "reason", a.Reason,
		"priority", ev.Priority, "master", ev.Master, "timer_late", ev.At.Sub(ev.Due))
}

// send sends a at at (zero: now). With kernel-timed adverts, an advert
// due later, or one that must follow an advert still queued, is queued
// with its departure time; the rest go at once. The advert sender
// process takes every advert, and orders them itself.
func (n *Node) send(a Advert, at time.Time) {
	var err error
	if ls := n.leased(); ls != nil {
		if err = sendLeased(ls, a, at); err == nil {
			n.c.timedSent.Add(1)
		} else {
			n.stopTimed(err, at)
			err = n.conn.Send(a)
		}
	} else if dep, later := n.txq.departure(at, n.clock.Now()); n.timed != nil && later {
		if err = n.timed.SendAt(a, dep); err == nil {
			n.txq.queued(dep)
			n.c.timedSent.Add(1)
		} else {
			n.stopTimed(err, dep)
			err = n.conn.Send(a)
		}
	} else {
		err = n.conn.Send(a)
	}
	if err != nil {
		n.c.sendErrors.Add(1)
		n.log.Warn("vrrp send advert", "priority", a.Priority, "err", err)
		return
	}
	n.c.sent.Add(1)
}

// stopTimed falls back to the runtime's timer after a kernel-timed or
// thread-timed send failed, waiting (at most txtimeLead) until the failed
// advert's time.
func (n *Node) stopTimed(err error, at time.Time) {
	n.log.Warn("vrrp timed advert failed; timing adverts with the Go runtime's timer from now on",
		"path", timingNames[n.timing.Load()], "err", err)
	if ls := n.leased(); ls != nil {
		ls.Cancel()
	}
	n.timed = nil
	n.timing.Store(timingIndex(TimingRuntime))
	time.Sleep(min(at.Sub(n.clock.Now()), txtimeLead))
}

// shutdown handles a local shutdown and returns once any advert queued in
// the kernel has left (at most txtimeLead later), so the priority-0 advert
// is the last one sent.
func (n *Node) shutdown(m *Machine) {
	n.apply(m, m.Shutdown(n.clock.Now()))
	time.Sleep(min(n.txq.pending(n.clock.Now()), txtimeLead+time.Millisecond))
}

// kernelTimed returns conn as a TimedSender when cfg asks for kernel-timed
// adverts and conn can send them; otherwise it logs why not and returns nil.
func kernelTimed(cfg Config, conn Conn, log *slog.Logger) TimedSender {
	if !cfg.KernelTimedAdverts {
		return nil
	}
	ts, ok := conn.(TimedSender)
	if !ok {
		log.Warn("vrrp kernel-timed adverts unavailable: the connection cannot send them; timing adverts in-process")
		return nil
	}
	if err := ts.KernelTimed(); err != nil {
		log.Warn("vrrp kernel-timed adverts unavailable; timing adverts in-process", "err", err)
		return nil
	}
	log.Info("vrrp kernel-timed adverts enabled", "lead", txtimeLead)
	return ts
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
		n.inflight.n.Add(1)
		at := n.clock.Now().Add(-p.Age)
		a, err := n.filter.check(p)
		if err != nil {
			n.inflight.n.Add(-1)
			r, _ := reasonOf(err)
			n.c.drops[r].Add(1)
			n.log.Debug("vrrp drop", "src", p.Src, "reason", r, "err", err)
			continue
		}
		n.c.received.Add(1)
		select {
		case n.rx <- received{src: p.Src, at: at, adv: a}:
			n.inflight.n.Add(-1)
		case <-n.done:
			return
		}
	}
}
