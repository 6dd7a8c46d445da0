package vrrp

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/netnsexec"
	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// requireNetns gates the namespace suites: skipped without SEESAW_NETNS=1,
// fatal when enabled but a prerequisite is missing.
func requireNetns(t testing.TB, tools ...string) {
	t.Helper()
	testenv.RequireNetNS(t, tools...)
}

// lan is a hub namespace holding a bridge, and member namespaces each with
// an eth0 attached to it: one Ethernet segment.
type lan struct {
	t   testing.TB
	sfx string
	hub string
	nss []string
}

func run(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// newLAN builds a segment of n members; member i has 192.0.2.(11+i)/24 and
// 2001:db8::(11+i)/64 on eth0. Everything is removed when the test ends.
func newLAN(t testing.TB, n int) *lan {
	t.Helper()
	b := make([]byte, 3)
	rand.Read(b)
	l := &lan{t: t, sfx: hex.EncodeToString(b)}
	l.hub = "ssv-hub-" + l.sfx
	l.addNS(l.hub)
	run(t, "ip", "-n", l.hub, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0")
	run(t, "ip", "-n", l.hub, "link", "set", "br0", "up")
	for i := range n {
		ns := fmt.Sprintf("ssv-%d-%s", i, l.sfx)
		l.addNS(ns)
		port := fmt.Sprintf("p%d", i)
		run(t, "ip", "-n", l.hub, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns)
		run(t, "ip", "-n", l.hub, "link", "set", port, "master", "br0", "up")
		run(t, "ip", "-n", ns, "addr", "add", l.addr4(i).String()+"/24", "dev", "eth0")
		run(t, "ip", "-n", ns, "addr", "add", l.addr6(i).String()+"/64", "dev", "eth0", "nodad")
		run(t, "ip", "-n", ns, "link", "set", "eth0", "up")
		run(t, "ip", "-n", ns, "link", "set", "lo", "up")
		l.nss = append(l.nss, ns)
	}
	return l
}

func (l *lan) addNS(ns string) {
	run(l.t, "ip", "netns", "add", ns)
	l.t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	// Link-local addresses must be usable at once, without DAD.
	run(l.t, "ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")
}

func (l *lan) addr4(i int) netip.Addr { return netip.AddrFrom4([4]byte{192, 0, 2, byte(11 + i)}) }
func (l *lan) addr6(i int) netip.Addr {
	return netip.MustParseAddr(fmt.Sprintf("2001:db8::%d", 11+i))
}

// linkLocal returns member i's IPv6 link-local address (its primary).
func (l *lan) linkLocal(i int) netip.Addr {
	out := run(l.t, "ip", "-n", l.nss[i], "-6", "-o", "addr", "show", "dev", "eth0", "scope", "link")
	f := strings.Fields(out)
	for j, w := range f {
		if w == "inet6" && j+1 < len(f) {
			p, err := netip.ParsePrefix(f[j+1])
			if err == nil {
				return p.Addr()
			}
		}
	}
	l.t.Fatalf("no link-local address in %s: %q", l.nss[i], out)
	return netip.Addr{}
}

// helperMsg is one JSON line printed by a helper process.
type helperMsg struct {
	Kind   string     `json:"kind"` // ready, event, stats, advert, error
	State  string     `json:"state,omitempty"`
	Reason string     `json:"reason,omitempty"`
	Mono   int64      `json:"mono,omitempty"` // ns: CLOCK_MONOTONIC for events, kernel CLOCK_REALTIME stamp for adverts
	Stats  *Stats     `json:"stats,omitempty"`
	Src    string     `json:"src,omitempty"`
	Prio   int        `json:"prio,omitempty"`
	Err    string     `json:"err,omitempty"`
	GC     *gcFigures `json:"gc,omitempty"`
}

// proc is a helper process (this test binary re-executed in a namespace).
type proc struct {
	t      testing.TB
	name   string
	cmd    *exec.Cmd
	msgs   chan helperMsg
	exited <-chan struct{}
}

// startHelper runs TestHelperProcess in namespace ns in the given mode,
// with extra environment variables env ("K=V").
func startHelper(t testing.TB, ns, mode string, arg any, env ...string) *proc {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(arg)
	cmd := exec.Command("ip", "netns", "exec", ns, self, "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SEESAW_VRRP_HELPER="+mode, "SEESAW_VRRP_ARG="+string(js))
	cmd.Env = append(cmd.Env, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the test
	cmd.Stderr = os.Stderr
	p := &proc{t: t, name: mode + "@" + ns, cmd: cmd, msgs: make(chan helperMsg, 4096)}
	cmd.Stdout = netnsexec.Lines(func(line []byte) {
		var m helperMsg
		if err := json.Unmarshal(line, &m); err != nil || m.Kind == "" {
			fmt.Fprintf(os.Stderr, "%s: %s\n", p.name, line)
			return
		}
		select {
		case p.msgs <- m:
		default:
		}
	})
	cmd.WaitDelay = 5 * time.Second         // a helper's own children may hold its output
	exited, err := netnsexec.StartHeld(cmd) // Pdeathsig follows the forking thread
	if err != nil {
		t.Fatalf("start %s helper in %s: %v", mode, ns, err)
	}
	p.exited = exited
	t.Cleanup(p.kill)
	p.wait("ready", "", 10*time.Second)
	return p
}

func (p *proc) signal(s syscall.Signal) {
	if err := p.cmd.Process.Signal(s); err != nil {
		p.t.Fatalf("signal %v to %s: %v", s, p.name, err)
	}
}

// kill ends the helper at once: a crash, no priority-0 advert.
func (p *proc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// stop shuts the helper down gracefully and returns its final stats.
func (p *proc) stop() Stats {
	p.signal(syscall.SIGTERM)
	m := p.wait("stats", "", 10*time.Second)
	<-p.exited
	return *m.Stats
}

// stats asks a running node helper for its counters.
func (p *proc) stats() Stats {
	p.signal(syscall.SIGUSR1)
	return *p.wait("stats", "", 10*time.Second).Stats
}

// wait returns the next message of the kind (and state, if given).
func (p *proc) wait(kind, state string, d time.Duration) helperMsg {
	p.t.Helper()
	match := func(m helperMsg) bool {
		if m.Kind == "error" {
			p.t.Fatalf("%s: %s", p.name, m.Err)
		}
		return m.Kind == kind && (state == "" || m.State == state)
	}
	deadline := time.After(d)
	for {
		select {
		case m := <-p.msgs:
			if match(m) {
				return m
			}
		case <-p.exited:
			for len(p.msgs) > 0 { // what it printed before exiting
				if m := <-p.msgs; match(m) {
					return m
				}
			}
			p.t.Fatalf("%s exited while waiting for %s %s", p.name, kind, state)
		case <-deadline:
			p.t.Fatalf("%s: no %s %s within %v", p.name, kind, state, d)
		}
	}
}

// quiet fails if the helper reports a state change within d.
func (p *proc) quiet(d time.Duration) {
	p.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case m := <-p.msgs:
			if m.Kind == "event" {
				p.t.Fatalf("%s: unexpected transition to %s (%s)", p.name, m.State, m.Reason)
			}
		case <-deadline:
			return
		}
	}
}
