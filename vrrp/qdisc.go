package vrrp

import "fmt"

// qdisc is one traffic-control queueing discipline of an interface.
type qdisc struct {
	parent uint32 // tcHRoot for the root qdisc
	handle uint32
	kind   string
}

// tcHRoot is TC_H_ROOT, the parent of an interface's root qdisc.
const tcHRoot = 0xffffffff

// txtimeQdiscs are the qdiscs that hold a packet until the departure time
// SO_TXTIME gave it, on CLOCK_MONOTONIC. (etf also honours it, but wants
// CLOCK_TAI and drops a packet whose time has passed instead of sending it.)
var txtimeQdiscs = map[string]bool{"fq": true}

// checkTxtimeQdisc says whether the qdiscs of interface ifname release
// packets at their SO_TXTIME departure time: the root is fq, or the root is
// mq and every queue under it is fq.
func checkTxtimeQdisc(ifname string, qs []qdisc) error {
	var root *qdisc
	for i := range qs {
		if qs[i].parent == tcHRoot {
			root = &qs[i]
		}
	}
	unavailable := func(why string) error {
		return fmt.Errorf("%w on %s: %s (set its root qdisc to fq: tc qdisc replace dev %s root fq)",
			ErrTxtimeUnavailable, ifname, why, ifname)
	}
	switch {
	case root == nil:
		return unavailable("no root qdisc")
	case txtimeQdiscs[root.kind]:
		return nil
	case root.kind != "mq":
		return unavailable(fmt.Sprintf("root qdisc is %s, which ignores departure times", root.kind))
	}
	children := 0
	for _, q := range qs {
		if q.parent != tcHRoot && q.parent>>16 == root.handle>>16 {
			if !txtimeQdiscs[q.kind] {
				return unavailable(fmt.Sprintf("queue %x:%x under mq is %s", q.parent>>16, q.parent&0xffff, q.kind))
			}
			children++
		}
	}
	if children == 0 {
		return unavailable("mq root without queues")
	}
	return nil
}
