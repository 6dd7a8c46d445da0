package hatest

import (
	"fmt"
	"syscall"
	"time"
)

// scenario is one lifecycle event under load, and the state the kernel
// must reach after it.
type scenario struct {
	name       string
	seesawOnly bool // no keepalived meaning (the guard, validation, a directory swap)
	failover   bool // mastership moves: long-lived connections must survive (sync daemon)
	quiet      bool // the client must see nothing: no failed request, every stream survives
	crash      bool // a process dies with its addresses: duplicate-VIP time is reported, not asserted
	event      func(l *lab)
	// setup runs before the load window; a backend it takes down must
	// keep weight 0 on lb1 through the window (health survives a restart).
	setup    func(l *lab)
	keptDown string
	want     model
	down     [2]map[string]bool // the backends each LB's checks see down at the end
}

// restartDelay is how long a killed load balancer stays down before it is
// started again (systemd's RestartSec=1s in examples/systemd).
const restartDelay = time.Second

// linkDownFor is how long the master's cable stays out: long enough for
// the backup to take over, short enough that the window also shows the
// return (two masters meet, one steps down, caches must follow).
const linkDownFor = 5 * time.Second

var scenarios = []scenario{
	{name: "master-sigterm", failover: true, event: func(l *lab) {
		l.stopLB(0, syscall.SIGTERM)
	}},
	{name: "master-kill9", failover: true, crash: true, event: func(l *lab) {
		happened := l.onAdvertPhase(0)
		l.stopLB(0, syscall.SIGKILL)
		happened()
		time.Sleep(restartDelay)
		l.pair.Start(0)
	}},
	{name: "master-link-down", failover: true, event: func(l *lab) {
		happened := l.onAdvertPhase(0)
		setLink(l.t, lbNS[0], false)
		happened()
		time.Sleep(linkDownFor)
		setLink(l.t, lbNS[0], true)
	}},
	{name: "master-restart", failover: true, event: func(l *lab) {
		l.stopLB(0, syscall.SIGTERM)
		l.pair.Start(0)
	}},
	{name: "restart-backend-down", failover: true, keptDown: backendIP[2], down: [2]map[string]bool{be3, be3},
		setup: func(l *lab) {
			l.backends[2].Kill()
			if why := l.settle(model{}, [2]map[string]bool{be3, be3}, true, 15*time.Second); why != "" {
				l.stuck = append(l.stuck, "be3 down before the window: the lab did not settle in 15 s: "+why)
			}
		},
		event: func(l *lab) {
			l.stopLB(0, syscall.SIGTERM)
			l.pair.Start(0)
		}},
	{name: "backend-killed", down: [2]map[string]bool{be3, be3}, event: func(l *lab) {
		l.backends[2].Kill()
	}},
	{name: "backend-removed", want: model{RemoveBE3: true}, event: func(l *lab) {
		l.pushAll(model{RemoveBE3: true}, false)
	}},
	{name: "push-90pct-delete", seesawOnly: true, quiet: true, event: func(l *lab) {
		l.pushAll(model{Truncated: true}, false)
	}},
	{name: "push-invalid", seesawOnly: true, quiet: true, event: func(l *lab) {
		l.pushAll(model{Invalid: true}, false)
	}},
	{name: "push-symlink-swap", seesawOnly: true, want: model{Weight3: 2}, event: func(l *lab) {
		l.pushAll(model{Weight3: 2}, true)
	}},
}

func (l *lab) stopLB(i int, sig syscall.Signal) {
	if !l.pair.Stop(i, sig) {
		l.stuck = append(l.stuck, fmt.Sprintf("%s lb%d still running 15 s after %v", l.pair.Name(), i+1, sig))
	}
}
