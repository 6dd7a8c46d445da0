package hatest

import (
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// showLogs prints the load balancers' logs after every scenario, not only
// after a failed one (-hatest.logs, through internal/vm/run.sh --arg).
var showLogs = flag.Bool("hatest.logs", false, "print the load balancers' logs after every scenario")

// outcome is one scenario's figures with one implementation.
type outcome struct {
	load    loadResult
	vip     vipTimes
	kernel  string // "" when the kernel ended equal to the config
	revived bool   // the scenario's kept-down backend was given weight
	// staleGateway counts the backends whose neighbour entry for the NAT
	// gateway names the load balancer without it, after the window.
	staleGateway int
	// announced is how long after the arrival of the advert the event was
	// pinned to a load balancer first spoke for the DR VIP (0: not pinned).
	announced time.Duration
	// answered is how long after the client's namespace first saw the DR
	// VIP announced after the event the answer that ended the client's
	// longest gap was read (0: not pinned, or not known).
	answered time.Duration
	err      error // the measurement itself failed
}

// TestHATraffic runs every scenario under load with seesaw-reconcile, then
// with keepalived, and prints the two side by side. Assertions (seesaw
// only) are about correctness: no duplicate VIP, long-lived connections
// survive a failover, held and invalid pushes change nothing the client
// sees, the kernel ends equal to the config. Timings go in the table.
func TestHATraffic(t *testing.T) {
	testenv.RequireVM(t, "ip", "ipvsadm", "seesaw-reconcile", "keepalived", "sysctl")
	results := map[string]map[string]*outcome{}
	for _, s := range scenarios {
		results[s.name] = map[string]*outcome{}
	}
	t.Run("seesaw", func(t *testing.T) {
		runScenarios(t, newLab(t, newSeesawPair(t)), results)
	})
	t.Run("keepalived", func(t *testing.T) {
		runScenarios(t, newLab(t, newKeepalivedPair(t)), results)
	})
	printTable(os.Stdout, results)
}

func runScenarios(t *testing.T, l *lab, results map[string]map[string]*outcome) {
	for _, s := range scenarios {
		if l.pair.Name() == "keepalived" && s.seesawOnly {
			continue
		}
		t.Run(s.name, func(t *testing.T) {
			o := &outcome{}
			results[s.name][l.pair.Name()] = o
			runScenario(t, l, s, o)
		})
	}
}

// runScenario runs s once on l under load, fills o with what was seen
// and logs it; with seesaw it also holds the run to the suite's
// correctness assertions.
func runScenario(t *testing.T, l *lab, s scenario, o *outcome) {
	if err := l.restore(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	l.stuck, l.pinned, l.event = nil, time.Time{}, time.Time{}
	var watch *weightWatch
	if s.setup != nil {
		s.setup(l)
	}
	if s.keptDown != "" {
		watch = startWeightWatch(lbNS[0], s.keptDown)
	}
	o.load, o.vip, o.err = l.measure(func() { s.event(l) })
	if watch != nil {
		o.revived = watch.stop()
	}
	o.kernel = l.settle(s.want, s.down, false, 15*time.Second)
	t.Logf("%s %s: %d/%d failed %v, gap %v, both %v, neither %v, streams %d/%d, kernel %q, revived %v, samples %d (max step %v), %v",
		l.pair.Name(), s.name, o.load.Failed, o.load.Requests, o.load.FailedBy, o.load.MaxGap, o.vip.Both, o.vip.Neither,
		o.load.Survived, o.load.Streams, o.kernel, o.revived, o.vip.Samples, o.vip.MaxStep, time.Since(start).Round(time.Second))
	if d, who := l.announced(); d > 0 {
		o.announced = d
		t.Logf("%s first spoke for the DR VIP %v after the arrival of lb1's last advert before the event", who, d.Round(time.Microsecond))
	}
	o.answered = l.answered(o.load)
	if tl := l.takeover(o.load); tl != "" {
		t.Logf("after the pinned advert: %s", tl)
	}
	if len(o.load.Errors) > 0 {
		t.Logf("client errors: %q", o.load.Errors)
	}
	t.Logf("DR VIP holders: %s", strings.Join(o.vip.Timeline, ", "))
	if s.failover {
		report, stale := l.gatewayNeighbours()
		o.staleGateway = len(stale)
		t.Logf("NAT gateway neighbours after the window: %s; pointing at the load balancer without it: %q", report, stale)
	}
	if *showLogs {
		l.dumpLogs()
	}
	if o.err != nil {
		t.Fatalf("measurement failed: %v", o.err)
	}
	if l.pair.Name() == "keepalived" {
		return // the peer: measured, not judged
	}
	check(t, s, o, l)
	if t.Failed() {
		l.dumpLogs()
	}
}

// check holds seesaw to the suite's correctness assertions.
func check(t *testing.T, s scenario, o *outcome, l *lab) {
	for _, msg := range l.stuck {
		t.Error(msg)
	}
	for i := range lbNS {
		if line := logLine(l.pair.Log(i), "vrrp advert sender process lost"); line != "" {
			t.Errorf("lb%d lost its advert sender process: %s", i+1, line)
		}
	}
	if o.vip.Both > 0 && !s.crash {
		t.Errorf("both load balancers held a VIP for %v", o.vip.Both)
	}
	if (s.failover || s.quiet) && o.load.Survived != o.load.Streams {
		t.Errorf("%d of %d long-lived connections survived", o.load.Survived, o.load.Streams)
	}
	if s.quiet && o.load.Failed > 0 {
		t.Errorf("%d of %d requests failed (%v); the push must change nothing the client sees", o.load.Failed, o.load.Requests, o.load.FailedBy)
	}
	if o.revived {
		t.Errorf("%s was down before lb1 restarted and got weight again", s.keptDown)
	}
	if o.kernel != "" {
		t.Errorf("the kernel did not end equal to the config: %s", o.kernel)
	}
}

// logLine returns the first line of log that contains msg, or "".
func logLine(log, msg string) string {
	for line := range strings.Lines(log) {
		if strings.Contains(line, msg) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}
