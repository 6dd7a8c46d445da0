package hatest

import (
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/vmlab"
)

// lbPair is one implementation running on both load balancers.
type lbPair interface {
	Name() string
	Start(i int)
	Running(i int) bool
	Stop(i int, sig syscall.Signal) bool // false: still running after 15 s
	Push(i int, m model)                 // rewrite the config in place (and reload)
	PushSymlink(i int, m model)          // a new config directory, swapped in by a symlink
	Log(i int) string
}

// lab is the topology with one implementation on the load balancers.
type lab struct {
	t        *testing.T
	pair     lbPair
	readers  [2]*addrReader
	adverts  *advertWatch
	announce *announceWatch
	lbMAC    [2]string
	// pinned is the arrival of the advert a scenario's event was pinned
	// to, and event when the event was done; zero when not pinned.
	pinned, event time.Time
	backends      [3]*vmlab.Proc
	stuck         []string // processes that did not stop when told to, setups that did not settle
}

func newLab(t *testing.T, pair lbPair) *lab {
	buildLAN(t)
	l := &lab{t: t, pair: pair}
	for i, ns := range lbNS {
		r, err := newAddrReader(ns)
		must(t, err)
		t.Cleanup(r.Close)
		l.readers[i] = r
	}
	for i := range backendNS {
		l.startBackend(i)
	}
	w, err := newAdvertWatch(clientNS)
	must(t, err)
	t.Cleanup(w.Close)
	l.adverts = w
	aw, err := newAnnounceWatch(clientNS, "eth0", netip.MustParseAddr(gatewayIP), netip.MustParseAddr(drVIP), netip.MustParseAddr(natVIP))
	must(t, err)
	t.Cleanup(aw.Close)
	l.announce = aw
	for i, ns := range lbNS {
		l.lbMAC[i], err = macOf(ns, "eth0")
		must(t, err)
	}
	return l
}

// onAdvertPhase waits until advertPhase after lb i's next advert, so that
// a crash or a pulled cable happens at the same point of the advert
// interval in every run and with both implementations. The returned
// function, called right after the event, logs when it happened after
// the advert's arrival.
func (l *lab) onAdvertPhase(i int) (happened func()) {
	at := l.adverts.afterNext(lbIP[i], advertPhase)
	if at.IsZero() {
		l.t.Logf("no advert from lb%d read in time within 4 s: the event is not phase-pinned", i+1)
		return func() {}
	}
	return func() {
		l.pinned, l.event = at, time.Now()
		l.t.Logf("event done %v after the arrival of lb%d's advert (pinned at %v)", l.event.Sub(at).Round(time.Microsecond), i+1, advertPhase)
	}
}

// announced returns how long after the pinned advert's arrival a load
// balancer first spoke for the DR VIP after the event, and which one;
// zero when the event was not pinned or none did.
func (l *lab) announced() (time.Duration, string) {
	if l.pinned.IsZero() {
		return 0, ""
	}
	f := l.announce.firstAfter(l.event, netip.MustParseAddr(drVIP))
	if f.at.IsZero() {
		return 0, ""
	}
	return f.at.Sub(l.pinned), l.lbName(f.mac)
}

// answered returns how long after the first announcement of the DR VIP
// after the event the answer that ended the client's longest gap was read:
// what the new master's takeover left for the first connections after
// its announcements. Zero when the event was not pinned, nothing was
// announced after it, the gap ended with the window, or the longest gap
// did not span the announcement (a crashed seesaw's VIPs keep serving:
// its longest gap is elsewhere).
func (l *lab) answered(res loadResult) time.Duration {
	if l.pinned.IsZero() || res.GapEnd.Done.IsZero() {
		return 0
	}
	f := l.announce.firstAfter(l.event, netip.MustParseAddr(drVIP))
	if f.at.IsZero() || res.GapFrom.After(f.at) || res.GapEnd.Done.Before(f.at) {
		return 0
	}
	return res.GapEnd.Done.Sub(f.at)
}

// lbName is the load balancer whose LAN port has mac, or mac itself.
func (l *lab) lbName(mac string) string {
	for i, m := range l.lbMAC {
		if m == mac {
			return fmt.Sprintf("lb%d", i+1)
		}
	}
	return mac
}

// takeover says, in time after the pinned advert's arrival, when the event
// was done, when each address was first announced after it, and when the
// client's longest gap began and ended (and by which request): where a
// failover's time went between the takeover and the first answer.
func (l *lab) takeover(res loadResult) string {
	if l.pinned.IsZero() {
		return ""
	}
	at := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.Sub(l.pinned).Round(100 * time.Microsecond).String()
	}
	parts := []string{"event done " + at(l.event)}
	for _, a := range []struct{ name, ip string }{{"gateway", gatewayIP}, {"DR VIP", drVIP}, {"NAT VIP", natVIP}} {
		f := l.announce.firstAfter(l.event, netip.MustParseAddr(a.ip))
		who := ""
		if !f.at.IsZero() {
			who = " (" + l.lbName(f.mac) + ")"
		}
		parts = append(parts, a.name+" ARP "+at(f.at)+who)
	}
	parts = append(parts, "gap from "+at(res.GapFrom)+" to "+at(res.GapEnd.Done))
	if e := res.GapEnd; e.Target != "" {
		parts = append(parts, "ended by a request to "+e.Target+" started "+at(e.Started))
	}
	return strings.Join(parts, ", ")
}

func (l *lab) startBackend(i int) {
	l.backends[i] = vmlab.StartRole(l.t, backendNS[i], backendEnv, strings.TrimPrefix(backendNS[i], "ha-"))
}

// pushAll gives both load balancers m.
func (l *lab) pushAll(m model, symlink bool) {
	for i := range lbNS {
		if symlink {
			l.pair.PushSymlink(i, m)
		} else {
			l.pair.Push(i, m)
		}
	}
}

// state says how the kernel differs from m with the backends in down[i]
// unhealthy as lb i sees them: both LB tables must equal the model's, and exactly one load
// balancer (with its link up) must hold every VIP while the other holds
// none. It returns "" when they agree.
func (l *lab) state(m model, down [2]map[string]bool) string {
	var diffs []string
	for i, ns := range lbNS {
		want := m.table(down[i])
		out, err := exec.Command("ip", "netns", "exec", ns, "ipvsadm", "-Sn").CombinedOutput()
		if err != nil {
			return fmt.Sprintf("%s: ipvsadm -Sn: %v: %s", ns, err, out)
		}
		if got := liveTable(string(out)); !slices.Equal(got, want) {
			diffs = append(diffs, fmt.Sprintf("%s table: %s", ns, lineDiff(got, want)))
		}
	}
	all, some, err := holders(l.readers, m.vips())
	if err != nil {
		return err.Error()
	}
	if !(all[0] && !some[1] || all[1] && !some[0]) {
		diffs = append(diffs, fmt.Sprintf("VIPs: lb1 all=%v some=%v, lb2 all=%v some=%v (want all on one, none on the other)",
			all[0], some[0], all[1], some[1]))
	}
	return strings.Join(diffs, "; ")
}

// lineDiff names the lines only in got (+) and only in want (-).
func lineDiff(got, want []string) string {
	var d []string
	for _, g := range got {
		if !slices.Contains(want, g) {
			d = append(d, "+"+g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			d = append(d, "-"+w)
		}
	}
	return strings.Join(d, ", ")
}

// settle polls until the kernel equals m (and, if lb1Master, lb1 holds the
// VIPs), for at most d; it returns the last difference ("" when equal).
func (l *lab) settle(m model, down [2]map[string]bool, lb1Master bool, d time.Duration) string {
	var why string
	for end := time.Now().Add(d); ; time.Sleep(100 * time.Millisecond) {
		why = l.state(m, down)
		if why == "" && lb1Master {
			all, _, err := holders(l.readers, m.vips())
			if err != nil || !all[0] {
				why = "lb1 is not the master"
			}
		}
		if why == "" || time.Now().After(end) {
			return why
		}
	}
}

// restore brings the lab back to the baseline between scenarios: every
// backend and load balancer running, links up, the baseline config, lb1
// master, both tables equal to the config. If that does not happen, the
// load balancers are restarted once.
func (l *lab) restore() error {
	for i, b := range l.backends {
		if !b.Running() {
			l.startBackend(i)
		}
	}
	for _, ns := range lbNS {
		setLink(l.t, ns, true)
	}
	l.pushAll(model{}, false)
	for i := range lbNS {
		if !l.pair.Running(i) {
			l.pair.Start(i)
		}
	}
	why := l.settle(model{}, [2]map[string]bool{}, true, 30*time.Second)
	if why == "" {
		forgetNeighbours(l.t)
		return nil
	}
	l.t.Logf("%s: not at the baseline (%s); restarting both load balancers", l.pair.Name(), why)
	for i := range lbNS {
		l.pair.Stop(i, syscall.SIGKILL)
	}
	for i := range lbNS {
		l.pair.Start(i)
	}
	if why := l.settle(model{}, [2]map[string]bool{}, true, 30*time.Second); why != "" {
		l.dumpLogs()
		return fmt.Errorf("%s: the lab does not reach the baseline: %s", l.pair.Name(), why)
	}
	forgetNeighbours(l.t)
	return nil
}

func (l *lab) dumpLogs() {
	for i := range lbNS {
		log := l.pair.Log(i)
		if len(log) > 12000 {
			log = "...\n" + log[len(log)-12000:]
		}
		l.t.Logf("%s lb%d log:\n%s", l.pair.Name(), i+1, log)
	}
}

// load is the client's load for every scenario.
var load = loadSpec{
	Targets:     []string{drVIP + ":80", natVIP + ":80"},
	Rate:        50,
	Duration:    10 * time.Second,
	Streams:     4,
	StreamEvery: 50 * time.Millisecond,
}

// eventAfter is when, in the load window, the scenario's event happens.
const eventAfter = 2 * time.Second

// measure runs the client's load with the sampler and does event in the
// window. It returns what the client and the sampler saw.
func (l *lab) measure(event func()) (loadResult, vipTimes, error) {
	client := vmlab.StartRole(l.t, clientNS, clientEnv, load.encode())
	defer client.Kill()
	if !client.WaitOutput(vmlab.ReadyLine+"\n", 20*time.Second) {
		return loadResult{}, vipTimes{}, fmt.Errorf("client not ready: %s", client.Output())
	}
	s := startSampler(l.readers, coreVIPs())
	gw := startGatewayWatch()
	time.Sleep(eventAfter)
	l.t.Logf("event at %s", time.Now().Format("15:04:05.000"))
	event()
	exited := client.Wait(load.Duration + 30*time.Second)
	vt := s.stop()
	l.t.Logf("be1's neighbour entry for the NAT gateway %s: %s", gatewayIP, strings.Join(gw.stop(), ", "))
	if !exited {
		return loadResult{}, vt, fmt.Errorf("client still running after its window")
	}
	var res loadResult
	if err := client.Result(&res); err != nil {
		return res, vt, fmt.Errorf("client: %w", err)
	}
	return res, vt, vt.Err
}

// be3 is the backend the backend scenarios kill or remove.
var be3 = map[string]bool{backendIP[2]: true}
