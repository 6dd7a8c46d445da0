package checks

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// halfOpenNetnsEnv names the server namespace TestHalfOpenInside uses.
const halfOpenNetnsEnv = "SEESAW_CHECKS_HALFOPEN_SERVER_NETNS"

// TestHalfOpenAcrossVeth runs half-open checks over a real link: the
// checker in one namespace, the listeners in another, joined by a veth
// pair, so the SYN's checksum is verified by a receiving stack and the
// host's RST travels the link. TestHalfOpenInside does the checking.
func TestHalfOpenAcrossVeth(t *testing.T) {
	needNetns(t)
	client, server := fmt.Sprintf("seesaw-ho-c-%d", os.Getpid()), fmt.Sprintf("seesaw-ho-s-%d", os.Getpid())
	for _, ns := range []string{client, server} {
		ipCmd(t, "netns", "add", ns)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
		ipCmd(t, "-n", ns, "link", "set", "lo", "up")
		// No duplicate address detection on the new link: its link-local
		// addresses would stay tentative for a second, and neighbour
		// discovery with them.
		for _, k := range []string{"all", "default"} {
			ipCmd(t, "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf."+k+".accept_dad=0")
		}
	}
	ipCmd(t, "-n", client, "link", "add", "ho0", "type", "veth", "peer", "name", "ho1", "netns", server)
	ipCmd(t, "-n", client, "addr", "add", "192.0.2.1/24", "dev", "ho0")
	ipCmd(t, "-n", client, "addr", "add", "2001:db8:d::1/64", "dev", "ho0", "nodad")
	ipCmd(t, "-n", server, "addr", "add", "192.0.2.2/24", "dev", "ho1")
	ipCmd(t, "-n", server, "addr", "add", "2001:db8:d::2/64", "dev", "ho1", "nodad")
	ipCmd(t, "-n", client, "link", "set", "ho0", "up")
	ipCmd(t, "-n", server, "link", "set", "ho1", "up")
	// 198.51.100.2 is routed out of ho0 to a MAC address no one owns: its
	// SYNs leave and are dropped, silently.
	ipCmd(t, "-n", client, "route", "add", "198.51.100.0/24", "dev", "ho0")
	ipCmd(t, "-n", client, "neigh", "replace", "198.51.100.2", "lladdr", "02:00:5e:00:53:02", "dev", "ho0", "nud", "permanent")
	cmd := exec.Command("ip", "netns", "exec", client, os.Args[0], "-test.run", "^TestHalfOpenInside$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), halfOpenNetnsEnv+"="+server)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestHalfOpenInside") {
		t.Fatalf("half-open checks in namespace %s: %v\n%s", client, err, out)
	}
	t.Logf("%s", out)
}

// listenInNetns listens on the wildcard address, port 0, inside the
// network namespace ns (from a thread that enters it and then dies with
// its goroutine), and counts accepted connections. It also returns a port
// nothing listens on there.
func listenInNetns(t *testing.T, ns string) (port, closed uint16, accepted *atomic.Int64) {
	t.Helper()
	type res struct {
		ln, gone net.Listener
		err      error
	}
	ch := make(chan res, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		f, err := os.Open("/run/netns/" + ns)
		if err != nil {
			ch <- res{err: err}
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			ch <- res{err: err}
			return
		}
		ln, err := net.Listen("tcp", ":0")
		if err != nil {
			ch <- res{err: err}
			return
		}
		gone, err := net.Listen("tcp", ":0")
		ch <- res{ln: ln, gone: gone, err: err}
	}()
	r := <-ch
	if r.err != nil {
		t.Fatalf("listen in namespace %s: %v", ns, r.err)
	}
	t.Cleanup(func() { r.ln.Close() })
	closed = uint16(r.gone.Addr().(*net.TCPAddr).Port)
	r.gone.Close()
	accepted = new(atomic.Int64)
	go func() {
		for {
			c, err := r.ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	return uint16(r.ln.Addr().(*net.TCPAddr).Port), closed, accepted
}

// TestHalfOpenInside is the part of TestHalfOpenAcrossVeth that runs in
// the client namespace. Listeners across the link are up over IPv4 and
// IPv6 and accept nothing; a closed port is refused; a black-holed
// address times out. Then the client's address changes: the SYN sent
// from the cached, now gone, source fails, and the next check, with the
// source looked up again, passes.
func TestHalfOpenInside(t *testing.T) {
	ns := os.Getenv(halfOpenNetnsEnv)
	if ns == "" {
		t.Skip("run by TestHalfOpenAcrossVeth inside its namespace")
	}
	port, closed, accepted := listenInNetns(t, ns)
	up4 := Target{Address: netip.MustParseAddr("192.0.2.2"), Port: port}
	up6 := Target{Address: netip.MustParseAddr("2001:db8:d::2"), Port: port}
	refused := Target{Address: up4.Address, Port: closed}
	dropped := Target{Address: netip.MustParseAddr("198.51.100.2"), Port: port}
	// The first IPv6 packet over the new link is lost while the namespaces
	// resolve each other; a connect to the closed port (refused once its
	// SYN is sent again) settles that before the checks run.
	if c, err := net.DialTimeout("tcp", Target{Address: up6.Address, Port: closed}.AddrPort().String(), 5*time.Second); err == nil {
		c.Close()
		t.Fatalf("the closed port %d accepted a connection", closed)
	}
	var log resultLog
	opts, clock := atOnce(Options{OnResult: log.add})
	e := startEngine(t, opts)
	spec := &Spec{Type: TypeTCP, HalfOpen: true, Interval: time.Hour, Timeout: 500 * time.Millisecond}
	if err := e.Update([]Check{{Target: up4, Spec: spec}, {Target: up6, Spec: spec}, {Target: refused, Spec: spec}, {Target: dropped, Spec: spec}}); err != nil {
		t.Fatal(err)
	}
	for _, tg := range []Target{up4, up6} {
		if r := log.first(t, tg); r.Err != nil {
			t.Errorf("half-open check of %s across the link: %v", tg, r.Err)
		}
	}
	if r := log.first(t, refused); r.Err == nil || !strings.Contains(r.Err.Error(), "connection refused") {
		t.Errorf("half-open check of closed port %s: %v, want connection refused", refused, r.Err)
	}
	if r := log.first(t, dropped); !errors.Is(r.Err, ErrTimeout) {
		t.Errorf("half-open check of black-holed %s: %v, want a timeout", dropped, r.Err)
	}
	if n := accepted.Load(); n != 0 {
		t.Errorf("the listener accepted %d connections; half-open checks establish none", n)
	}

	ipCmd(t, "addr", "del", "192.0.2.1/24", "dev", "ho0")
	ipCmd(t, "addr", "add", "192.0.2.3/24", "dev", "ho0")
	var after []error
	for round := 0; round < 3 && (len(after) == 0 || after[len(after)-1] != nil); round++ {
		n := len(log.all(up4))
		clock.advance(time.Hour) // every check due again
		after = append(after, log.next(t, up4, n).Err)
	}
	t.Logf("checks of %s after the source address changed: %v", up4, after)
	if after[0] == nil {
		t.Errorf("the first check after the source changed passed; it was sent from the removed address")
	}
	if after[len(after)-1] != nil {
		t.Errorf("no check passed within 3 rounds after the source changed: %v", after)
	}
}
