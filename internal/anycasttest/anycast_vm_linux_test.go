package anycasttest

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// showLogs prints the nodes' logs after every scenario, not only after a
// failed one (-anycasttest.logs, through internal/vm/run.sh --arg).
var showLogs = flag.Bool("anycasttest.logs", false, "print the nodes' logs after every scenario")

// TestAnycast runs the anycast suite: the baseline (flows spread over the
// three nodes, each source on one backend through any node), then each
// scenario on lb1 under load. Assertions are about correctness: clean
// withdrawals fail no request, no request fails once the router moved,
// a lost node's route goes within the hold time and a margin, and mh
// sends a source to one backend through every node. Timings go in the
// table.
func TestAnycast(t *testing.T) {
	testenv.RequireVM(t, "ip", "ipvsadm", "seesaw-reconcile", "bird", "birdc", "sysctl")
	l := newLab(t)
	if why := l.settle(60 * time.Second); why != "" {
		l.dumpLogs()
		t.Fatalf("the lab does not reach the baseline: %s\nBIRD:\n%s", why, birdRoutes(l.birdSock))
	}
	t.Logf("BIRD's routes for the VIP:\n%s", birdRoutes(l.birdSock))
	checkNodes(t, l)
	results := map[string]*outcome{}
	for _, s := range scenarios {
		ok := t.Run(s.name, func(t *testing.T) {
			if err := l.restore(); err != nil {
				t.Fatal(err)
			}
			l.stuck = nil
			if s.setup != nil {
				s.setup(l)
			}
			var event func()
			if s.event != nil {
				event = func() { s.event(l) }
			}
			o, err := l.measure(event)
			if err != nil {
				l.dumpLogs()
				t.Fatalf("measurement failed: %v", err)
			}
			results[s.name] = &o
			logOutcome(t, s, o)
			check(t, s, o, l)
			if t.Failed() || *showLogs {
				l.dumpLogs()
				t.Logf("BIRD:\n%s\nBIRD log:\n%s", birdProtocols(l.birdSock), tail(l.bird.Output(), 4000))
			}
		})
		if !ok && results[s.name] == nil {
			break // the lab is broken: the rest would only time out
		}
	}
	printTable(os.Stdout, results)
}

// checkNodes checks what each node did at start: the anycast VIP on the
// dummy anycast0 without ARP, and the host checks in its status (lb3's
// strict rp_filter reported, nothing else).
func checkNodes(t *testing.T, l *lab) {
	for i, ns := range lbNS {
		link, _ := exec.Command("ip", "-n", ns, "-o", "link", "show", "anycast0").CombinedOutput()
		addr, _ := exec.Command("ip", "-n", ns, "-o", "addr", "show", "dev", "anycast0").CombinedOutput()
		if !strings.Contains(string(link), "NOARP") || !strings.Contains(string(link), ",UP") || !strings.Contains(string(addr), vip+"/32") {
			t.Errorf("lb%d anycast0: %s%s", i+1, link, addr)
		}
		eth0, _ := exec.Command("ip", "-n", ns, "-o", "addr", "show", "dev", "eth0").CombinedOutput()
		if strings.Contains(string(eth0), vip) {
			t.Errorf("lb%d holds the anycast VIP on eth0: %s", i+1, eth0)
		}
		st, err := l.nodes[i].client().Status()
		if err != nil {
			t.Errorf("lb%d status: %v", i+1, err)
			continue
		}
		var unfit []string
		for _, c := range st.HostChecks {
			if !c.OK {
				unfit = append(unfit, c.Setting+"="+c.Value)
			}
		}
		want := ""
		if i == 2 {
			want = "net.ipv4.conf.eth0.rp_filter=1"
		}
		if len(st.HostChecks) != 3 || strings.Join(unfit, " ") != want {
			t.Errorf("lb%d host checks: %+v; want 3 with unfit %q", i+1, st.HostChecks, want)
		}
	}
}

func logOutcome(t *testing.T, s scenario, o outcome) {
	change := "none"
	if c, after, ok := o.change(); ok {
		change = fmt.Sprintf("%v after the event, to [%s]", after.Round(time.Millisecond), c.Hops)
	}
	t.Logf("%s: %d/%d failed, %d served after %v (slowest %v), route change %s, conns %v, backends used %d, split %v",
		s.name, o.load.Failed, o.load.Requests, o.load.Slow, slowAfter, o.load.Slowest.Round(time.Millisecond), change, o.conns,
		o.backendsUsed(), o.split())
	for _, f := range o.load.Failures[:min(len(o.load.Failures), 8)] {
		t.Logf("failure at %s: %s", f.At.Format("15:04:05.000"), f.Err)
	}
	var tl []string
	for _, c := range o.changes {
		tl = append(tl, c.At.Format("15:04:05.000")+" ["+c.Hops+"]")
	}
	t.Logf("event at %s; route sets: %s", o.eventAt.Format("15:04:05.000"), strings.Join(tl, ", "))
}

// check holds the scenario to the suite's correctness assertions.
func check(t *testing.T, s scenario, o outcome, l *lab) {
	for _, msg := range l.stuck {
		t.Error(msg)
	}
	if planned := load.Rate * int(load.Duration/time.Second); o.load.Requests < planned/5 {
		t.Errorf("the client made %d requests of %d planned: too few to judge", o.load.Requests, planned)
	}
	if sp := o.split(); len(sp) > 0 {
		t.Errorf("sources answered by more than one backend (the nodes' mh tables differ): %v", sp)
	}
	if s.event == nil {
		checkSteady(t, o)
		return
	}
	c, after, ok := o.change()
	if !ok || c.Hops != s.hops {
		t.Errorf("the router's route set did not change to %q after the event (changes %v)", s.hops, o.changes)
		return
	}
	if s.bound > 0 && after > s.bound {
		t.Errorf("the route changed %v after the event, want within %v (hold time %v and a margin)", after, s.bound, holdTime)
	}
	if s.clean && o.load.Failed > 0 {
		t.Errorf("%d of %d requests failed; a clean withdrawal must fail none", o.load.Failed, o.load.Requests)
	}
	if n := o.failedSince(c.At); n > 0 {
		t.Errorf("%d requests failed that started after the router moved", n)
	}
}

// checkSteady: no failure, every node carries flows, more than one backend serves.
func checkSteady(t *testing.T, o outcome) {
	if o.load.Failed > 0 {
		t.Errorf("%d of %d requests failed with nothing happening", o.load.Failed, o.load.Requests)
	}
	for i, n := range o.conns {
		if n == 0 {
			t.Errorf("lb%d scheduled no connection: the router does not spread flows (conns %v)", i+1, o.conns)
		}
	}
	if o.backendsUsed() < 2 {
		t.Errorf("only %d backend answered: mh does not spread the sources", o.backendsUsed())
	}
	if len(o.changes) != 1 {
		t.Errorf("the route set changed with nothing happening: %v", o.changes)
	}
}
