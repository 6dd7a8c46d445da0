package vrrp

import (
	"cmp"
	"sync/atomic"
	"time"
)

// A Backup's Master_Down_Timer must not fire on an advert that arrived in
// time but that this process has not handled yet: the receive goroutine
// can run late (garbage collection, a busy scheduler), and Run's select
// picks at random between a received advert and the timer when both are
// ready. Before it acts on the timer, the node handles every advert the
// receive goroutine has taken, and waits (at most rxSettleMax) while the
// socket still holds a datagram or the receive goroutine is checking one.
// Adverts carry their kernel receive time, so one that arrived before the
// deadline restarts the timer from when it arrived.
const (
	rxSettleMax  = 10 * time.Millisecond
	rxSettlePoll = 200 * time.Microsecond
)

// pendingConn is implemented by Conns that can tell whether a datagram is
// waiting in the socket (Listen's on Linux).
type pendingConn interface {
	pending() bool
}

// rxInflight counts packets the receive goroutine has taken from the Conn
// and not yet dropped or handed to the loop.
type rxInflight struct{ n atomic.Int32 }

// settleReceive applies, on a Backup about to act on its deadline, the
// adverts that arrived before it (see rxSettleMax).
func (n *Node) settleReceive(m *Machine) {
	pc, _ := n.conn.(pendingConn)
	bound := time.Now().Add(cmp.Or(n.rxSettle, rxSettleMax))
	for {
		select {
		case r := <-n.rx:
			n.apply(m, m.Receive(r.at, r.src, r.adv))
			continue
		default:
		}
		busy := n.inflight.n.Load() > 0 || (pc != nil && pc.pending())
		if !busy || !time.Now().Before(bound) {
			return
		}
		time.Sleep(rxSettlePoll)
	}
}
