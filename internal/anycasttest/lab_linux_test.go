package anycasttest

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/vmlab"
)

// lab is the network with BIRD, the backends and the three nodes running.
type lab struct {
	t        *testing.T
	nodes    [3]*node
	backends [3]*vmlab.Proc
	routes   *routeReader
	birdSock string
	bird     *vmlab.Proc
	stuck    []string // nodes that did not stop when told to
}

func newLab(t *testing.T) *lab {
	buildNetwork(t)
	// lb3 filters strictly by reverse path: harmless with one router, and
	// its host check must say so.
	vmlab.Sysctls(t, lbNS[2], "net.ipv4.conf.eth0.rp_filter=1")
	l := &lab{t: t}
	l.birdSock, l.bird = startBird(t)
	l.routes = newRouteReader(t)
	for i, ns := range backendNS {
		l.backends[i] = vmlab.StartRole(t, ns, backendEnv, fmt.Sprintf("be%d", i+1))
	}
	for i := range l.nodes {
		l.nodes[i] = newNode(t, i)
		l.nodes[i].start()
	}
	return l
}

// state says how the lab differs from the baseline: every node running,
// the router's route over all three, every node's service with the three
// backends weighted. It returns "" at the baseline.
func (l *lab) state() string {
	var why []string
	for i, n := range l.nodes {
		if !n.running() {
			why = append(why, fmt.Sprintf("lb%d not running", i+1))
		}
		if d := activeDests(lbNS[i]); d != 3 {
			why = append(why, fmt.Sprintf("lb%d has %d weighted backends", i+1, d))
		}
	}
	hops, err := l.routes.nextHops()
	if err != nil {
		why = append(why, err.Error())
	} else if hops != allHops {
		why = append(why, fmt.Sprintf("router next hops %q", hops))
	}
	return strings.Join(why, "; ")
}

// settle polls until the lab is at the baseline, for at most d; it
// returns the last difference ("" at the baseline).
func (l *lab) settle(d time.Duration) string {
	for end := time.Now().Add(d); ; time.Sleep(200 * time.Millisecond) {
		why := l.state()
		if why == "" || time.Now().After(end) {
			return why
		}
	}
}

// restore brings the lab back to the baseline between scenarios.
func (l *lab) restore() error {
	for i := range l.nodes {
		setLink(l.t, lbNS[i], true)
		checksFail(l.t, i, false)
		if !l.nodes[i].running() {
			l.nodes[i].start()
		}
	}
	for _, n := range l.nodes {
		if err := n.undrain(20 * time.Second); err != nil {
			return err
		}
	}
	why := l.settle(30 * time.Second)
	if why == "" {
		return nil
	}
	// A node whose session went down waits GoBGP's idle hold time (30 s)
	// before it dials again; restart lb1 (the scenarios' node) instead.
	l.t.Logf("not at the baseline (%s); restarting lb1\n%s", why, birdProtocols(l.birdSock))
	l.stopNode(0, syscall.SIGTERM)
	l.nodes[0].start()
	if why := l.settle(40 * time.Second); why != "" {
		l.dumpLogs()
		return fmt.Errorf("the lab does not reach the baseline: %s\nBIRD:\n%s%s\nBIRD log:\n%s", why, birdRoutes(l.birdSock),
			birdProtocols(l.birdSock), tail(l.bird.Output(), 4000))
	}
	return nil
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) > n {
		return "...\n" + s[len(s)-n:]
	}
	return s
}

func (l *lab) stopNode(i int, sig syscall.Signal) {
	if !l.nodes[i].stop(sig) {
		l.stuck = append(l.stuck, fmt.Sprintf("lb%d still running 15 s after %v", i+1, sig))
	}
}

func (l *lab) dumpLogs() {
	for i, n := range l.nodes {
		log := n.log()
		if len(log) > 8000 {
			log = "...\n" + log[len(log)-8000:]
		}
		l.t.Logf("lb%d log:\n%s", i+1, log)
	}
}

// load is the client's load for every scenario: 20 new connections a
// second for 25 s, eight source addresses in turn. The window leaves room
// for slow checks and restarts under TCG on a loaded host.
var load = loadSpec{Target: vip + ":80", Sources: clientIPs, Rate: 20, Duration: 25 * time.Second}

// eventAfter is when, in the load window, the scenario's event happens.
const eventAfter = 4 * time.Second

// outcome is what one scenario measured.
type outcome struct {
	load    loadResult
	eventAt time.Time
	changes []routeChange // the router's route sets; the first is the one at the start
	conns   [3]int        // connections each node's IPVS scheduled in the window
}

// measure runs the client's load, does event in its window and returns
// what the client, the router and the nodes saw.
func (l *lab) measure(event func()) (outcome, error) {
	var o outcome
	var before [3]int
	for i, ns := range lbNS {
		before[i], _ = ipvsConns(ns)
	}
	watch := watchRoutes(l.routes)
	client := vmlab.StartRole(l.t, clientNS, clientEnv, load.encode())
	defer client.Kill()
	if !client.WaitOutput(vmlab.ReadyLine+"\n", 20*time.Second) {
		watch.end()
		return o, fmt.Errorf("client not ready: %s", client.Output())
	}
	time.Sleep(eventAfter)
	o.eventAt = time.Now()
	if event != nil {
		event()
	}
	exited := client.Wait(load.Duration + 30*time.Second)
	changes, err := watch.end()
	o.changes = changes
	if err != nil {
		return o, fmt.Errorf("read the router's routes: %w", err)
	}
	for i, ns := range lbNS {
		after, err := ipvsConns(ns)
		if err == nil {
			o.conns[i] = after - before[i]
		}
	}
	if !exited {
		return o, fmt.Errorf("client still running after its window")
	}
	if err := client.Result(&o.load); err != nil {
		return o, fmt.Errorf("client: %w", err)
	}
	return o, nil
}

// change is the first change of the router's route set after the event.
func (o outcome) change() (routeChange, time.Duration, bool) {
	c, ok := firstChangeAfter(o.changes, o.eventAt)
	return c, c.At.Sub(o.eventAt), ok
}

// failedSince counts the failed requests that started at or after t.
func (o outcome) failedSince(t time.Time) int {
	n := 0
	for _, f := range o.load.Failures {
		if !f.At.Before(t) {
			n++
		}
	}
	return n
}

// split lists the source addresses answered by more than one backend:
// with identical mh tables on every node there are none, whichever node
// the router sent each flow to.
func (o outcome) split() []string {
	var out []string
	for src, bs := range o.load.Backends {
		if len(bs) > 1 {
			out = append(out, fmt.Sprintf("%s->%v", src, bs))
		}
	}
	return out
}

// backendsUsed counts the backends that answered at least one request.
func (o outcome) backendsUsed() int {
	seen := map[string]bool{}
	for _, bs := range o.load.Backends {
		for b := range bs {
			seen[b] = true
		}
	}
	return len(seen)
}
