package reconcile

import (
	"context"
	"io"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/checks"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/checkpath"
)

// markedGet does one HTTP/1.0 GET to the VIP with SO_MARK mark, bound to
// source when valid, and returns the body.
func markedGet(mark uint32, source netip.Addr) (string, error) {
	d := net.Dialer{Timeout: time.Second, Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) { serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_MARK, int(mark)) }); err != nil {
			return err
		}
		return serr
	}}
	if source.IsValid() {
		d.LocalAddr = &net.TCPAddr{IP: source.AsSlice()}
	}
	conn, err := d.DialContext(context.Background(), "tcp4", topo4.vip+":80")
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(conn, "GET / HTTP/1.0\r\n\r\n"); err != nil {
		return "", err
	}
	b, err := io.ReadAll(conn)
	return string(b), err
}

// TestDSRCheckOnMasterInVM covers a node holding the VIP (the master): the
// kernel picks the VIP itself as the source of a connection to a local
// address, and the backend drops a packet from its own address, so an
// unbound check fails; bound to checkpath.SourceFor(backend) and with
// accept_local set by CheckSysctls (the answer comes from the VIP, local
// here) it passes through IPVS to the backend; without accept_local the
// answer is dropped as a martian.
func TestDSRCheckOnMasterInVM(t *testing.T) {
	requireVMIPVS(t)
	c, err := kernel.Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	backendNS(t, topo4, "dsrA", "lbA", topo4.lbA, topo4.a, true)
	serveIn(t, "dsrA", "A")
	sh(t, "ip", "addr", "add", topo4.vip+"/32", "dev", "dummy0")
	t.Cleanup(func() { sh(t, "ip", "addr", "del", topo4.vip+"/32", "dev", "dummy0") })
	cfg := vmChecksConfig(t, topo4, "dr", "dsr", topo4.a)
	out := vmRound(t, c, cfg, nil)
	t.Cleanup(func() {
		mustApply(t, c, Compute(snapshot(t, c), Inputs{Config: config(t, "node.yaml", "node: {name: vm, interface: lbA}\n"), Now: time.Now()}).Plan.Ops())
	})
	mark := out.Target.CheckMarks[0].Mark
	src, err := checkpath.SourceFor(netip.MustParseAddr(topo4.a))
	if err != nil || src != netip.MustParseAddr("198.51.100.1") {
		t.Fatalf("SourceFor(%s) = %v, %v", topo4.a, src, err)
	}
	sys := checkpath.ProcSysctls{}
	if v, _ := sys.Get(checkpath.AcceptLocalSysctl); v != "0" {
		t.Fatalf("accept_local starts at %q", v)
	}
	if body, err := markedGet(mark, src); err == nil {
		t.Errorf("bound check without accept_local passed: %q", body)
	}
	cs := NewCheckSysctls(sys)
	if err := cs.Sync(cfg); err != nil {
		t.Fatal(err)
	}
	if body, err := markedGet(mark, netip.Addr{}); err == nil {
		t.Errorf("unbound check passed: %q", body)
	}
	if body, err := markedGet(mark, src); err != nil || !strings.HasSuffix(body, "\r\n\r\nA") {
		t.Errorf("bound check with accept_local: %q %v", body, err)
	}
	// The same through the checks engine: its Target.Source binds the socket.
	if got := runChecks(t, cfg, out.Target.CheckMarks, src); got["dsr "+topo4.a] != checks.StateUp {
		t.Errorf("engine dsr check bound to %s on the master: %v, want up", src, got)
	}
	if got := runChecks(t, cfg, out.Target.CheckMarks, netip.Addr{}); got["dsr "+topo4.a] != checks.StateDown {
		t.Errorf("engine dsr check without a source on the master: %v, want down", got)
	}
	if err := cs.Sync(config(t, "node.yaml", "node: {name: vm, interface: lbA}\n")); err != nil {
		t.Fatal(err)
	}
	if v, _ := sys.Get(checkpath.AcceptLocalSysctl); v != "0" {
		t.Errorf("accept_local after the last dsr check went: %q", v)
	}
}
