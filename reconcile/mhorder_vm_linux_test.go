package reconcile

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/internal/netnsexec"
	"github.com/seesaw-lb/seesaw/kernel"
)

// mhClient is the one client address of TestMHSameBackendAcrossNodesInVM;
// its flows differ by source port (the service hashes with mh-port).
var mhClient = netip.MustParseAddr("203.0.113.1")

// mhNode creates namespace ns as an LB node: backends 198.51.100.1-9 and
// the VIP's /24 routed out of dummy0 (where packets vanish), the client
// address on lo. It returns a kernel client on the namespace's IPVS table.
func mhNode(t *testing.T, ns string) kernel.IPVS {
	t.Helper()
	sh(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	in := func(args ...string) { sh(t, append([]string{"ip", "netns", "exec", ns}, args...)...) }
	in("ip", "link", "set", "lo", "up")
	in("ip", "addr", "add", mhClient.String()+"/32", "dev", "lo")
	in("ip", "link", "add", "dummy0", "type", "dummy")
	in("ip", "link", "set", "dummy0", "up")
	in("ip", "addr", "add", "198.51.100.254/24", "dev", "dummy0")
	in("ip", "route", "add", "192.0.2.0/24", "dev", "dummy0")
	f, err := os.Open("/var/run/netns/" + ns)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := kernel.Dial(kernel.Options{NetNS: int(f.Fd())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Flush(context.Background()); c.Close() })
	return c
}

// mhVMConfig is service web (mh with fallback and port hashing, DR, an
// unhealthy backend removed as configured) with backends 198.51.100.<n>.
func mhVMConfig(t *testing.T, backends ...int) desired.Config {
	return config(t, "node.yaml", "node: {name: lb, interface: dummy0, scope: {prefixes: [192.0.2.0/24]}}\n",
		"svc.yaml", "services:\n"+mhConfig(t, backends...))
}

// loopRound runs the loop's queued inputs and one round, as Run does.
func loopRound(t *testing.T, l *Loop) Status {
	t.Helper()
	l.drainEvents()
	l.Round(context.Background())
	st := l.Status()
	if st.Error != "" {
		t.Fatalf("round: %s", st.Error)
	}
	return st
}

// flows starts a TCP connection to the VIP from each source port of the
// client inside ns (non-blocking: the SYN leaves, IPVS schedules it, the
// socket is closed) and returns the backend IPVS chose for each, read from
// its connection table.
func flows(t *testing.T, ns string, ports []uint16) map[uint16]netip.Addr {
	t.Helper()
	syn := func(p uint16) error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: mhClient.As4(), Port: int(p)}); err != nil {
			return fmt.Errorf("bind port %d: %w", p, err)
		}
		err = unix.Connect(fd, &unix.SockaddrInet4{Addr: mhWeb.Addr.As4(), Port: int(mhWeb.Port)})
		if err != nil && !errors.Is(err, unix.EINPROGRESS) {
			return fmt.Errorf("connect from port %d: %w", p, err)
		}
		return nil
	}
	err := netnsexec.Do(ns, func() error {
		for _, p := range ports {
			if err := syn(p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("flows in %s: %v", ns, err)
	}
	out, err := exec.Command("ip", "netns", "exec", ns, "cat", "/proc/net/ip_vs_conn").CombinedOutput()
	if err != nil {
		t.Fatalf("read the connection table of %s: %v: %s", ns, err, out)
	}
	return parseConns(t, string(out))
}

// parseConns reads /proc/net/ip_vs_conn (hex addresses and ports):
// "Pro FromIP FPrt ToIP TPrt DestIP DPrt State Expires ...", and returns
// the destination of each connection from the client, by source port.
func parseConns(t *testing.T, text string) map[uint16]netip.Addr {
	t.Helper()
	got := map[uint16]netip.Addr{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 7 || f[0] == "Pro" {
			continue
		}
		from, err1 := hex.DecodeString(f[1])
		port, err2 := strconv.ParseUint(f[2], 16, 16)
		dest, err3 := hex.DecodeString(f[5])
		if err1 != nil || err2 != nil || err3 != nil || len(from) != 4 || len(dest) != 4 {
			t.Fatalf("connection table line %q", sc.Text())
		}
		if netip.AddrFrom4([4]byte(from)) == mhClient {
			got[uint16(port)] = netip.AddrFrom4([4]byte(dest))
		}
	}
	return got
}

// TestMHSameBackendAcrossNodesInVM: two LB nodes (network namespaces with
// their own IPVS tables) reach one mh config along different histories,
// each driven by the reconcile loop. Node A: backends added over three
// config revisions, one unhealthy and back, one deleted by hand and
// repaired by a resync. Node B: a table left by hand in another order with
// a stale backend, adopted by a fresh loop (a restart). Both must list the
// destinations in the canonical order, plan nothing more, and send each of
// 4096 flows (one client, different source ports) to the same backend.
// With five equal backends, the two histories' orders without the fix
// differ in a few slots of mh's 4093 (14 of the 4096 flows went elsewhere),
// hence the many flows.
func TestMHSameBackendAcrossNodesInVM(t *testing.T) {
	requireVMIPVS(t)
	if _, err := os.Stat("/sys/module/ip_vs_mh"); err != nil {
		t.Fatalf("the mh scheduler is not loaded: %v", err)
	}
	a, b := mhNode(t, "mhA"), mhNode(t, "mhB")
	all := mhVMConfig(t, 1, 2, 3, 4, 5)

	la := NewLoop(LoopOptions{Kernel: a})
	for _, cfg := range []desired.Config{mhVMConfig(t, 1, 3), mhVMConfig(t, 1, 2, 3), all} {
		la.SetConfig(cfg)
		loopRound(t, la)
	}
	web := &all.Services[0]
	sick := Health{}
	for i := range web.Backends {
		sick[HealthKey(web, &web.Backends[i])] = web.Backends[i].Address != dk(3).Addr
	}
	la.SetHealth(sick)
	if st := loopRound(t, la); st.Applied[kernel.DeleteDestination] != 0 || st.Applied[kernel.UpdateDestination] != 1 {
		t.Fatalf("unhealthy backend on mh: applied %v, want one update to weight 0", st.Applied)
	}
	la.SetHealth(Health{})
	loopRound(t, la)
	mustApply(t, a, []kernel.Op{{Kind: kernel.DeleteDestination, Service: mhWeb, Destination: dk(2)}})
	la.Resync()
	loopRound(t, la)

	hand := []kernel.Op{{Kind: kernel.AddService, Service: mhWeb, ServiceConfig: kernel.ServiceConfig{Scheduler: "mh"}}}
	for _, n := range []int{5, 3, 9, 1, 4, 2} {
		hand = append(hand, kernel.Op{Kind: kernel.AddDestination, Service: mhWeb, Destination: dk(n),
			DestinationConfig: kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: 10}})
	}
	mustApply(t, b, hand)
	lb := NewLoop(LoopOptions{Kernel: b})
	lb.SetConfig(all)
	loopRound(t, lb)

	want := dks(5, 4, 3, 2, 1)
	for name, c := range map[string]kernel.IPVS{"A": a, "B": b} {
		if got := dumpKeys(t, c, mhWeb); !slices.Equal(got, want) {
			t.Errorf("node %s lists %v, want %v", name, got, want)
		}
	}
	for name, l := range map[string]*Loop{"A": la, "B": lb} {
		l.Resync()
		if st := loopRound(t, l); sumCounts(st.Applied) != 0 {
			t.Errorf("node %s: a further round applied %v", name, st.Applied)
		}
	}

	ports := make([]uint16, 4096)
	for i := range ports {
		ports[i] = uint16(40000 + i)
	}
	fa, fb := flows(t, "mhA", ports), flows(t, "mhB", ports)
	perBackend := map[netip.Addr]int{}
	differ := 0
	for _, p := range ports {
		x, okA := fa[p]
		y, okB := fb[p]
		if !okA || !okB {
			t.Fatalf("flow from port %d not scheduled on both nodes: A %v, B %v", p, x, y)
		}
		perBackend[x]++
		if x != y {
			differ++
			if differ <= 5 {
				t.Errorf("flow from port %d: node A sends it to %s, node B to %s", p, x, y)
			}
		}
	}
	t.Logf("%d flows, %d on different backends; per backend on node A: %v", len(ports), differ, perBackend)
	if differ > 0 {
		t.Errorf("%d of %d flows reach different backends", differ, len(ports))
	}
	if len(perBackend) != len(want) {
		t.Errorf("flows reached %d backends, want all %d: %v", len(perBackend), len(want), perBackend)
	}
}
