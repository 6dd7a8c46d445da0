package anycasttest

import (
	"strings"
	"syscall"
	"time"
)

// holdTime is the BGP hold time of the sessions (node.yaml and BIRD).
const holdTime = 3 * time.Second

// convergeMargin is what the suite allows on top of the hold time for
// BIRD to act and the kernel route to change. It is wide: under TCG on a
// loaded host the guest's timers fire seconds late (a 3 s hold timer was
// seen to expire after 10 s); the table gives the measured figure.
const convergeMargin = 9 * time.Second

// scenario is one event under load on lb1 and what must follow.
type scenario struct {
	name string
	// setup runs before the load window.
	setup func(l *lab)
	// event happens eventAfter into the window; nil: none (the baseline).
	event func(l *lab)
	// hops is the router's route set the event must lead to.
	hops string
	// clean: a clean withdrawal; no request may fail at all.
	clean bool
	// bound, if set, is how soon after the event the route set must change.
	bound time.Duration
}

// withoutLB1 is the route set while lb1 announces nothing.
var withoutLB1 = strings.Join(lbIP[1:], ",")

var scenarios = []scenario{
	{name: "steady", hops: allHops},
	{name: "health-down", hops: withoutLB1, event: func(l *lab) { checksFail(l.t, 0, true) }},
	{name: "drain-node", hops: withoutLB1, clean: true, event: func(l *lab) {
		if err := l.nodes[0].client().DrainNode(); err != nil {
			l.t.Errorf("drain-node: %v", err)
		}
	}},
	{name: "sigterm", hops: withoutLB1, clean: true, event: func(l *lab) { l.stopNode(0, syscall.SIGTERM) }},
	{name: "kill-9", hops: withoutLB1, bound: holdTime + convergeMargin, event: func(l *lab) { l.stopNode(0, syscall.SIGKILL) }},
	{name: "node-lost", hops: withoutLB1, bound: holdTime + convergeMargin, event: func(l *lab) { setLink(l.t, lbNS[0], false) }},
	{name: "comes-back", hops: allHops,
		setup: func(l *lab) {
			l.stopNode(0, syscall.SIGTERM)
			for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
				if h, _ := l.routes.nextHops(); h == withoutLB1 {
					return
				}
			}
		},
		event: func(l *lab) { l.nodes[0].start() }},
}
