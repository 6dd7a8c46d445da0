package daemon

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/vrrp"
)

// memSegment is an in-memory multicast link between the daemons' VRRP
// nodes: every advert reaches every other node, marshalled and parsed as
// on the wire.
type memSegment struct {
	mu    sync.Mutex
	conns []*memConn
	// sent, if set, is told of every advert before it leaves.
	sent func(from netip.Addr, a vrrp.Advert)
}

type memConn struct {
	seg    *memSegment
	addr   netip.Addr
	in     chan vrrp.Packet
	closed chan struct{}
	once   sync.Once
}

func (s *memSegment) attach(addr string) *memConn {
	c := &memConn{seg: s, addr: netip.MustParseAddr(addr), in: make(chan vrrp.Packet, 256), closed: make(chan struct{})}
	s.mu.Lock()
	s.conns = append(s.conns, c)
	s.mu.Unlock()
	return c
}

func (c *memConn) Send(a vrrp.Advert) error {
	b, err := a.AppendMarshal(nil, c.addr, vrrp.GroupIPv4)
	if err != nil {
		return err
	}
	c.seg.mu.Lock()
	defer c.seg.mu.Unlock()
	if c.seg.sent != nil {
		c.seg.sent(c.addr, a)
	}
	for _, o := range c.seg.conns {
		if o != c {
			select {
			case o.in <- vrrp.Packet{Src: c.addr, Dst: vrrp.GroupIPv4, TTL: vrrp.TTL, Payload: b}:
			default:
			}
		}
	}
	return nil
}

func (c *memConn) Receive() (vrrp.Packet, error) {
	select {
	case p := <-c.in:
		return p, nil
	case <-c.closed:
		return vrrp.Packet{}, errors.New("closed")
	}
}

func (c *memConn) Primary() netip.Addr { return c.addr }
func (c *memConn) Close() error        { c.once.Do(func() { close(c.closed) }); return nil }

// vrrpDaemon runs one daemon on the segment; it returns its control socket,
// a stop function and its exit code channel.
func vrrpDaemon(t *testing.T, seg *memSegment, name, addr string, priority int, extra ...string) (string, context.CancelFunc, chan int, *syncBuffer) {
	d, _ := fakeDeps(t)
	d.listenVRRP = func(vrrp.Config) (vrrp.Conn, error) { return seg.attach(addr), nil }
	vrrpKeys := "preempt: false"
	web := webFile(1)
	if len(extra) == 2 {
		vrrpKeys, web = extra[0], extra[1]
	}
	node := fmt.Sprintf("node: {name: %s, interface: eth1, scope: {prefixes: [192.0.2.0/24]},"+
		" vrrp: {vrid: 51, priority: %d, advert_interval: 200ms, %s}}\n", name, priority, vrrpKeys)
	dir := writeConfig(t, map[string]string{"node.yaml": node, "web.yaml": web})
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	ctx, cancel := context.WithCancel(context.Background())
	logs, done := &syncBuffer{}, make(chan int, 1)
	go func() {
		done <- runDaemon(ctx, d, make(chan os.Signal), []string{"--config-dir", dir, "--control-socket", socket,
			"--metrics-address", "off"}, logs, logs)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		if t.Failed() {
			t.Logf("%s log:\n%s", name, logs.String())
		}
	})
	return socket, cancel, done, logs
}

// vrrpState is the daemon's VRRP state, or "unreachable" before its
// control socket answers.
func vrrpState(t *testing.T, socket string) string {
	t.Helper()
	r, err := NewClient(socket).Status()
	if err != nil {
		return "unreachable"
	}
	return r.VRRP.State
}

func TestDaemonsElectMasterOverVRRP(t *testing.T) {
	seg := &memSegment{}
	s1, stop1, done1, _ := vrrpDaemon(t, seg, "lb1", "203.0.113.1", 150)
	s2, stop2, done2, _ := vrrpDaemon(t, seg, "lb2", "203.0.113.2", 100)
	stopper := func(stop context.CancelFunc, done chan int) func() int {
		return func() int {
			stop()
			code := <-done
			done <- code // for the cleanup
			return code
		}
	}
	stop := map[string]func() int{s1: stopper(stop1, done1), s2: stopper(stop2, done2)}
	master, backup := elected(t, s1, s2)
	if r := statusOf(t, master); r.VRRP.Priority == 0 {
		t.Fatalf("master status without priority: %+v", r.VRRP)
	}
	eventually(t, "the loops to follow the VRRP states", func() bool {
		return statusOf(t, master).VRRP.Active && !statusOf(t, backup).VRRP.Active
	})
	if err := ctl(backup, "failover"); err == nil || !strings.Contains(err.Error(), "not master") {
		t.Fatalf("failover on the backup: %v", err)
	}
	if err := ctl(master, "failover"); err != nil {
		t.Fatalf("failover: %v", err)
	}
	eventually(t, "the backup to take over", func() bool {
		return vrrpState(t, backup) == "master" && vrrpState(t, master) == "backup"
	})
	eventually(t, "the loops to follow the failover", func() bool {
		return !statusOf(t, master).VRRP.Active && statusOf(t, backup).VRRP.Active
	})
	if statusOf(t, master).VRRP.Master == "" {
		t.Fatal("the new backup does not name the master")
	}
	// Stopping the new master (the SIGTERM path) sends priority 0: the other
	// takes over.
	stopped := backup // the daemon that is master now
	if code := stop[stopped](); code != exitOK {
		t.Fatalf("exit code %d", code)
	}
	eventually(t, "the other daemon to take over after the master stopped", func() bool { return vrrpState(t, master) == "master" })
}

func TestTrackedServiceDownLowersPriority(t *testing.T) {
	ln, port := loopbackServer(t, "127.0.0.2")
	ln.Close() // nothing listens: the check fails from the start
	down := fmt.Sprintf("services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n"+
		"    watermarks: {low: 0.5, high: 0.5}\n    checks: [{type: tcp, interval: 50ms, timeout: 40ms, fall: 1, rise: 1, initial: down}]\n"+
		"    backends: [{address: 127.0.0.2, port: %d}]\n", port)
	seg := &memSegment{}
	s1, _, _, _ := vrrpDaemon(t, seg, "lb1", "203.0.113.1", 150, "track: {services: [{name: web, decrement: 100}]}", down)
	s2, _, _, _ := vrrpDaemon(t, seg, "lb2", "203.0.113.2", 100, "preempt: true", webFile(1))
	eventually(t, "lb2 master while lb1's tracked service is down", func() bool {
		return vrrpState(t, s2) == "master" && vrrpState(t, s1) == "backup" && statusOf(t, s1).VRRP.Priority == 50
	})
	if r := statusOf(t, s1); r.Services[0].Up {
		t.Fatalf("tracked service up: %+v", r.Services[0])
	}
}

// elected waits until one of the daemons at sockets s1, s2 is master and the
// other backup, and returns their sockets in that order.
//
// Daemons started together may both reach Master_Down at once: the lower
// one is Master for an instant before it reads the better advert, so the
// roles count only once they hold for electedSettle.
func elected(t *testing.T, s1, s2 string) (master, backup string) {
	t.Helper()
	roles := func() (string, string, bool) {
		switch a, b := vrrpState(t, s1), vrrpState(t, s2); {
		case a == "master" && b == "backup":
			return s1, s2, true
		case a == "backup" && b == "master":
			return s2, s1, true
		}
		return "", "", false
	}
	eventually(t, "one master and one backup", func() bool {
		m, b, ok := roles()
		if !ok {
			return false
		}
		time.Sleep(electedSettle)
		m2, b2, ok := roles()
		master, backup = m, b
		return ok && m2 == m && b2 == b
	})
	return master, backup
}

// electedSettle is how long elected's roles must hold: several advert
// intervals of the tests' routers (50 ms; 250-300 ms in the reload tests).
const electedSettle = time.Second
