package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
	"github.com/seesaw-lb/seesaw/reconcile"
	"github.com/seesaw-lb/seesaw/vrrp"
)

// haLog records, in order, what the nodes of a test did to the segment:
// "lb1 add 192.0.2.10/32", "lb1 delete 192.0.2.10/32", "lb1 advert 0".
type haLog struct {
	mu    sync.Mutex
	lines []string
	names map[netip.Addr]string // VRRP primary address -> node name
}

func (l *haLog) add(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *haLog) since(i int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines[min(i, len(l.lines)):])
}

func (l *haLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

// loggedAddresses is a fake interface whose changes go to an haLog.
type loggedAddresses struct {
	*kerneltest.Addresses
	name string
	log  *haLog
}

func (a loggedAddresses) Add(ctx context.Context, ifname string, p netip.Prefix) error {
	a.log.add("%s add %s", a.name, p)
	return a.Addresses.Add(ctx, ifname, p)
}

// AddAllAnnounce logs each add as Add does: the fake's own batch would
// bypass the log.
func (a loggedAddresses) AddAllAnnounce(ctx context.Context, ifname string, ps []netip.Prefix, announce []bool) ([]error, []bool) {
	for _, p := range ps {
		a.log.add("%s add %s", a.name, p)
	}
	return a.Addresses.AddAllAnnounce(ctx, ifname, ps, announce)
}

func (a loggedAddresses) Delete(ctx context.Context, ifname string, p netip.Prefix) error {
	err := a.Addresses.Delete(ctx, ifname, p)
	a.log.add("%s delete %s", a.name, p)
	return err
}

// haNode is one daemon of a pair on an in-memory VRRP segment, with a fake
// kernel (sync daemon on) and fake addresses.
type haNode struct {
	name, socket string
	dir          string // the config directory
	ipvs         *kerneltest.IPVS
	addrs        *kerneltest.Addresses
	stop         func() int
}

// newHASegment returns a segment whose adverts go to log.
func newHASegment(log *haLog) *memSegment {
	log.names = map[netip.Addr]string{}
	seg := &memSegment{}
	seg.sent = func(from netip.Addr, a vrrp.Advert) {
		log.add("%s advert %d", log.names[from], a.Priority)
	}
	return seg
}

// startHANode runs a daemon named name on seg; vrrpKeys is the node's vrrp
// section ("" for a standalone node).
func startHANode(t *testing.T, seg *memSegment, log *haLog, name, addr, vrrpKeys string) *haNode {
	return startHANodeWith(t, seg, log, name, addr, vrrpKeys, nil)
}

// startHANodeWith is startHANode with edit applied to the node's deps and
// fake interface before it starts (nil: none).
func startHANodeWith(t *testing.T, seg *memSegment, log *haLog, name, addr, vrrpKeys string, edit func(*deps, *kerneltest.Addresses)) *haNode {
	d, f := fakeDeps(t)
	fa := kerneltest.NewAddresses("eth1")
	d.vips = func(l *slog.Logger) reconcile.VIPManager {
		return reconcile.NewVIPs(loggedAddresses{fa, name, log}, l)
	}
	d.listAddrs, d.announce = fa.List, fa.Announce
	if edit != nil {
		edit(&d, fa)
	}
	log.mu.Lock()
	log.names[netip.MustParseAddr(addr)] = name
	log.mu.Unlock()
	d.listenVRRP = func(vrrp.Config) (vrrp.Conn, error) { return seg.attach(addr), nil }
	dir := writeConfig(t, map[string]string{"node.yaml": haNodeFile(name, vrrpKeys), "web.yaml": webFile(1)})
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	ctx, cancel := context.WithCancel(context.Background())
	logs, done := &syncBuffer{}, make(chan int, 1)
	go func() {
		done <- runDaemon(ctx, d, make(chan os.Signal), []string{"--config-dir", dir, "--control-socket", socket,
			"--metrics-address", "off"}, logs, logs)
	}()
	var once sync.Once
	code := 0
	stop := func() int { once.Do(func() { cancel(); code = <-done }); return code }
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("%s log:\n%s", name, logs.String())
		}
	})
	return &haNode{name: name, socket: socket, dir: dir, ipvs: f, addrs: fa, stop: stop}
}

func (n *haNode) holds(t *testing.T) bool {
	ps, err := n.addrs.List(context.Background(), "eth1")
	if err != nil {
		t.Fatal(err)
	}
	return slices.Contains(ps, netip.MustParsePrefix("192.0.2.10/32"))
}

func (n *haNode) syncRole(t *testing.T) string {
	c, err := n.ipvs.Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ds, err := c.Daemons(context.Background())
	if err != nil {
		return err.Error()
	}
	var roles []string
	for _, d := range ds {
		roles = append(roles, d.State.String())
	}
	slices.Sort(roles)
	return strings.Join(roles, "+")
}

// bothRoles is syncRole of a VRRP node: both roles run whatever its state.
const bothRoles = "backup+master"

// startPairHA starts lb1 (priority 150) and lb2 (100) and waits until lb1
// is master holding the VIP and lb2 backup without it.
func startPairHA(t *testing.T) (*haLog, *haNode, *haNode) {
	log := &haLog{}
	seg := newHASegment(log)
	lb1 := startHANode(t, seg, log, "lb1", "203.0.113.1", "priority: 150, preempt: false")
	eventually(t, "lb1 master with the VIP", func() bool { return vrrpState(t, lb1.socket) == "master" && lb1.holds(t) })
	lb2 := startHANode(t, seg, log, "lb2", "203.0.113.2", "priority: 100, preempt: false")
	eventually(t, "lb2 backup", func() bool { return vrrpState(t, lb2.socket) == "backup" && lb2.syncRole(t) == bothRoles })
	if lb2.holds(t) || lb1.syncRole(t) != bothRoles {
		t.Fatalf("before: lb2 holds the VIP %v, lb1's sync daemon %s", lb2.holds(t), lb1.syncRole(t))
	}
	return log, lb1, lb2
}

// checkHandover checks the log of a handover from lb1 to lb2: lb1 deleted
// the VIP before its priority-0 advert, lb2 added it after, and at no
// point did both hold it.
func checkHandover(t *testing.T, lines []string) {
	t.Helper()
	at := func(s string) int { return slices.Index(lines, s) }
	del, zero, add := at("lb1 delete 192.0.2.10/32"), at("lb1 advert 0"), at("lb2 add 192.0.2.10/32")
	if del < 0 || zero < 0 || add < 0 || !(del < zero && zero < add) {
		t.Fatalf("handover order: delete %d, priority 0 %d, add %d in\n%s", del, zero, add, strings.Join(lines, "\n"))
	}
	holders := 1 // lb1 held it when the log starts
	for _, l := range lines {
		switch {
		case strings.HasSuffix(l, " add 192.0.2.10/32"):
			holders++
		case strings.HasSuffix(l, " delete 192.0.2.10/32"):
			holders--
		}
		if holders > 1 {
			t.Fatalf("two nodes hold the VIP after %q in\n%s", l, strings.Join(lines, "\n"))
		}
	}
}

// TestMasterStopRemovesVIPsBeforePriorityZero: SIGTERM on a VRRP master
// removes its VIP before its priority-0 advert; IPVS and both sync-daemon
// roles stay; the backup adds the VIP after.
func TestMasterStopRemovesVIPsBeforePriorityZero(t *testing.T) {
	log, lb1, lb2 := startPairHA(t)
	table := rendered(t, lb1.ipvs)
	from := log.len()
	if code := lb1.stop(); code != exitOK {
		t.Fatalf("exit code %d", code)
	}
	eventually(t, "lb2 to take over", func() bool { return vrrpState(t, lb2.socket) == "master" && lb2.holds(t) })
	checkHandover(t, log.since(from))
	if lb1.holds(t) || lb1.syncRole(t) != bothRoles || lb2.syncRole(t) != bothRoles {
		t.Fatalf("after stop: lb1 holds the VIP %v, lb1's sync daemon %s, lb2's %s", lb1.holds(t), lb1.syncRole(t), lb2.syncRole(t))
	}
	if got := rendered(t, lb1.ipvs); got != table || !strings.Contains(got, "192.0.2.10:80") {
		t.Fatalf("IPVS after stop:\n%s\nbefore:\n%s", got, table)
	}
}

// TestStepDownRemovesVIPsBeforePriorityZero: `failover` on the master
// hands over the same way; the old master keeps running as backup.
func TestStepDownRemovesVIPsBeforePriorityZero(t *testing.T) {
	log, lb1, lb2 := startPairHA(t)
	from := log.len()
	if err := ctl(lb1.socket, "failover"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "lb2 to take over", func() bool { return vrrpState(t, lb2.socket) == "master" && lb2.holds(t) })
	checkHandover(t, log.since(from))
	if r := lb1.syncRole(t); r != bothRoles {
		t.Fatalf("lb1's sync daemons after step-down: %s", r)
	}
	if lb1.holds(t) || vrrpState(t, lb1.socket) != "backup" || !statusOf(t, lb2.socket).VRRP.Active {
		t.Fatalf("after step-down: lb1 holds the VIP %v, is %s", lb1.holds(t), vrrpState(t, lb1.socket))
	}
}

// TestStandaloneStopKeepsVIPs: without VRRP, a stop leaves the VIP (and
// IPVS) as they are, so a restart changes nothing.
func TestStandaloneStopKeepsVIPs(t *testing.T) {
	log := &haLog{}
	lb := startHANode(t, newHASegment(log), log, "lb1", "203.0.113.1", "")
	eventually(t, "the VIP", func() bool { return lb.holds(t) })
	from := log.len()
	if code := lb.stop(); code != exitOK {
		t.Fatalf("exit code %d", code)
	}
	if !lb.holds(t) || len(log.since(from)) != 0 {
		t.Fatalf("after a standalone stop: holds the VIP %v, changes %q", lb.holds(t), log.since(from))
	}
}
