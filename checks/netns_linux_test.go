package checks

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// needNetns skips unless SEESAW_NETNS=1, and then fails on missing
// prerequisites rather than skipping.
func needNetns(t *testing.T) {
	t.Helper()
	testenv.RequireNetNS(t)
}

// ipCmd runs ip with args and fails the test on error.
func ipCmd(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// blackholeNetns creates a namespace where 198.51.100.0/24 and
// 2001:db8:b::/64 lead out of a veth pair whose peer is up but has no
// address, and the targets' neighbour entries point at a MAC address no one
// owns: every packet leaves, reaches the peer and is dropped there,
// silently, like a black-holing network.
func blackholeNetns(t *testing.T) string {
	name := fmt.Sprintf("seesaw-checks-bh-%d", os.Getpid())
	ipCmd(t, "netns", "add", name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	ipCmd(t, "-n", name, "link", "set", "lo", "up")
	ipCmd(t, "-n", name, "link", "add", "bh0", "type", "veth", "peer", "name", "bh1")
	ipCmd(t, "-n", name, "addr", "add", "198.51.100.1/24", "dev", "bh0")
	ipCmd(t, "-n", name, "addr", "add", "2001:db8:b::1/64", "dev", "bh0", "nodad")
	ipCmd(t, "-n", name, "link", "set", "bh0", "up")
	ipCmd(t, "-n", name, "link", "set", "bh1", "up")
	for _, a := range []string{"198.51.100.2", "2001:db8:b::2"} {
		ipCmd(t, "-n", name, "neigh", "replace", a, "lladdr", "02:00:5e:00:53:02", "dev", "bh0", "nud", "permanent")
	}
	// Packets marked 0x2a are routed by table 100, where the targets are
	// unreachable: a marked check fails at once, proving the mark is set.
	for _, fam := range [][2]string{{"-4", "198.51.100.0/24"}, {"-6", "2001:db8:b::/64"}} {
		ipCmd(t, "-n", name, fam[0], "rule", "add", "fwmark", "0x2a", "lookup", "100")
		ipCmd(t, "-n", name, fam[0], "route", "add", "unreachable", fam[1], "table", "100")
	}
	return name
}

// TestBlackhole checks targets whose packets are silently dropped: every
// check type must fail with a timeout, within its timeout. The checks run in
// a copy of this test binary started inside the namespace, so every socket
// (including those net/http dials on its own goroutines) lives there.
func TestBlackhole(t *testing.T) {
	needNetns(t)
	ns := blackholeNetns(t)
	cmd := exec.Command("ip", "netns", "exec", ns, os.Args[0], "-test.run", "^(TestBlackholeInside|TestPingSocketInside|TestMarkInside)$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), blackholeEnv+"="+ns)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestBlackholeInside") || !strings.Contains(string(out), "--- PASS: TestPingSocketInside") ||
		!strings.Contains(string(out), "--- PASS: TestMarkInside") {
		t.Fatalf("checks inside namespace %s: %v\n%s", ns, err, out)
	}
	t.Logf("%s", out)
}

// blackholeEnv names the namespace TestBlackholeInside runs in.
const blackholeEnv = "SEESAW_CHECKS_BLACKHOLE_NETNS"

// TestBlackholeInside is the part of TestBlackhole that runs inside the
// namespace; on its own it only explains that.
func TestBlackholeInside(t *testing.T) {
	if os.Getenv(blackholeEnv) == "" {
		t.Skip("run by TestBlackhole inside its namespace")
	}
	v4, v6 := netip.MustParseAddr("198.51.100.2"), netip.MustParseAddr("2001:db8:b::2")
	specs := []Spec{
		{Type: TypeICMP}, {Type: TypeTCP}, {Type: TypeTLS}, {Type: TypeHTTP}, {Type: TypeHTTPS},
		{Type: TypeUDP, Send: "ping"}, {Type: TypeDNS, DNS: DNSOptions{Name: "www.example.org"}},
		{Type: TypeDNS, DNS: DNSOptions{Name: "www.example.org", Transport: "tcp"}},
		{Type: TypeRADIUS, RADIUS: RADIUSOptions{User: "alice", Secret: testSecret}},
	}
	for _, addr := range []netip.Addr{v4, v6} {
		for _, s := range specs {
			s.Timeout = faultTimeout
			start := time.Now()
			err := runCheck(t, s, Target{Address: addr, Port: 53})
			took := time.Since(start)
			name := fmt.Sprintf("%s to %s", s.Type, addr)
			if !errors.Is(err, ErrTimeout) {
				t.Errorf("%s: got %v, want a timeout", name, err)
			}
			if took > hardBound {
				t.Errorf("%s: took %v, over the hard bound %v", name, took, hardBound)
			}
			t.Logf("%s: %v after %v", name, err, took.Round(time.Millisecond))
		}
	}
}

// TestPingSocketInside checks icmp over unprivileged ping sockets (the
// path taken without CAP_NET_RAW): it allows them in the namespace (the
// sysctl is per namespace) and pings the namespace's own loopback.
func TestPingSocketInside(t *testing.T) {
	if os.Getenv(blackholeEnv) == "" {
		t.Skip("run by TestBlackhole inside its namespace")
	}
	exec.Command("ip", "link", "set", "lo", "up").Run()
	if err := os.WriteFile("/proc/sys/net/ipv4/ping_group_range", []byte("0 2147483647"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := &env{pingers: &pingers{pingSocket: true}}
	defer e.pingers.close()
	c := &icmpChecker{pingers: e.pingers}
	for _, a := range []string{"127.0.0.1", "::1", "127.0.0.1", "::1"} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := c.check(ctx, Target{Address: netip.MustParseAddr(a)})
		cancel()
		if err != nil {
			t.Errorf("ping %s over a ping socket: %v", a, err)
		}
	}
	for _, p := range []*pinger{e.pingers.v4, e.pingers.v6} {
		if p == nil || p.raw {
			t.Fatal("pinger is not a ping socket")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), faultTimeout)
	defer cancel()
	if err := c.check(ctx, Target{Address: netip.MustParseAddr("198.51.100.2")}); !errors.Is(err, ErrTimeout) {
		t.Errorf("ping a black-holed address over a ping socket: got %v, want timeout", err)
	}
}

// TestMarkInside checks that every check type that supports a mark puts it
// on its socket: with mark 0x2a the namespace routes the black-holed
// targets as unreachable, so the check fails at once with that reason
// instead of timing out (the seam DSR and tunnel checks use).
func TestMarkInside(t *testing.T) {
	if os.Getenv(blackholeEnv) == "" {
		t.Skip("run by TestBlackhole inside its namespace")
	}
	specs := []Spec{
		{Type: TypeTCP}, {Type: TypeTCP, Send: "x", Expect: Expect{Contains: "y"}}, {Type: TypeTLS},
		{Type: TypeHTTP}, {Type: TypeHTTPS}, {Type: TypeUDP, Send: "ping"},
		{Type: TypeDNS, DNS: DNSOptions{Name: "www.example.org"}},
		{Type: TypeDNS, DNS: DNSOptions{Name: "www.example.org", Transport: "tcp"}},
		{Type: TypeRADIUS, RADIUS: RADIUSOptions{User: "alice", Secret: testSecret}},
	}
	for _, a := range []string{"198.51.100.2", "2001:db8:b::2"} {
		for _, s := range specs {
			s.Timeout = 2 * time.Second
			err := runCheck(t, s, Target{Address: netip.MustParseAddr(a), Port: 53, Mark: 0x2a})
			if err == nil || errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "unreachable") && !strings.Contains(err.Error(), "no route") {
				t.Errorf("%s to %s with mark 0x2a: got %v, want an unreachable error (not a timeout)", s.Type, a, err)
			}
		}
	}
}
