package daemon

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mdlayher/arp"
	"github.com/mdlayher/packet"
	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/internal/netnsexec"
	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// frameLog records when frames matching a filter were seen.
type frameLog struct {
	mu   sync.Mutex
	seen []time.Time
}

func (l *frameLog) times() []time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Time(nil), l.seen...)
}

// captureFrames records, on ifname in namespace ns, every frame (either
// direction) for which each match says true, until stop is closed; it
// returns when the socket is open.
func captureFrames(t *testing.T, ns, ifname string, stop <-chan struct{}, matches map[*frameLog]func(ethertype uint16, p []byte) bool) {
	ready, done := make(chan error, 1), make(chan struct{})
	go func() {
		defer close(done)
		err := netnsexec.Do(ns, func() error {
			ifi, err := net.InterfaceByName(ifname)
			if err != nil {
				ready <- err
				return nil
			}
			c, err := packet.Listen(ifi, packet.Raw, unix.ETH_P_ALL, nil)
			ready <- err
			if err != nil {
				return nil
			}
			defer c.Close()
			buf := make([]byte, 2048)
			for {
				select {
				case <-stop:
					return nil
				default:
				}
				c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
				n, _, err := c.ReadFrom(buf)
				if err != nil || n < 14 {
					continue
				}
				for l, match := range matches {
					if match(binary.BigEndian.Uint16(buf[12:14]), buf[14:n]) {
						l.mu.Lock()
						l.seen = append(l.seen, time.Now())
						l.mu.Unlock()
					}
				}
			}
		})
		if err != nil {
			t.Error(err)
		}
	}()
	t.Cleanup(func() { <-done })
	if err := <-ready; err != nil {
		t.Fatalf("capture on %s in %s: %v", ifname, ns, err)
	}
}

// holdsVIP reports whether namespace ns has addr on eth0.
func holdsVIP(t *testing.T, ns, addr string) bool {
	out, err := exec.Command("ip", "-n", ns, "-o", "addr", "show", "dev", "eth0").CombinedOutput()
	if err != nil {
		t.Fatalf("ip addr in %s: %v\n%s", ns, err, out)
	}
	return strings.Contains(string(out), " "+addr+"/32 ")
}

// TestDaemonsInNamespacesAnnounceAndHandOverVIP: two daemon processes with
// real VRRP sockets and real VIP addresses (fake IPVS). The master's VIP is
// announced garp_master_repeat times and again after garp_master_delay, as
// a packet socket in the other namespace sees; after SIGTERM the old master
// holds no VIP, has sent priority 0, and the other holds the VIP.
func TestDaemonsInNamespacesAnnounceAndHandOverVIP(t *testing.T) {
	testenv.RequireNetNS(t)
	ns := netnsPair(t)
	vip := netip.MustParseAddr("192.0.2.10")
	garps, zero := &frameLog{}, &frameLog{}
	stop := make(chan struct{})
	defer close(stop)
	captureFrames(t, ns[1], "eth0", stop, map[*frameLog]func(uint16, []byte) bool{
		garps: func(et uint16, p []byte) bool {
			var a arp.Packet
			return et == unix.ETH_P_ARP && a.UnmarshalBinary(p) == nil && a.SenderIP == vip && a.TargetIP == vip
		},
		zero: func(et uint16, p []byte) bool { // IPv4, protocol 112, from lb1, priority 0
			if et != unix.ETH_P_IP || len(p) < 20 || p[9] != 112 {
				return false
			}
			hl := int(p[0]&0x0f) * 4
			return len(p) >= hl+8 && netip.AddrFrom4([4]byte(p[12:16])) == netip.MustParseAddr("203.0.113.1") && p[hl+2] == 0
		},
	})
	node := func(name string, prio int) string {
		return netnsNode(name, 53, fmt.Sprintf("priority: %d, advert_interval: 100ms, preempt: false,"+
			" garp_master_repeat: 3, garp_interval: 50ms, garp_master_delay: 500ms", prio))
	}
	s1, p1, c1 := netnsDaemonWith(t, ns[0], "lb1", node("lb1", 150), childRealAddrsEnv+"=1")
	eventually(t, "lb1 master with the VIP", func() bool { return vrrpState(t, s1) == "master" && holdsVIP(t, ns[0], "192.0.2.10") })
	s2, _, _ := netnsDaemonWith(t, ns[1], "lb2", node("lb2", 100), childRealAddrsEnv+"=1")
	eventually(t, "lb2 backup", func() bool { return vrrpState(t, s2) == "backup" })
	eventually(t, "two bursts of 3 announcements", func() bool { return len(garps.times()) >= 6 })
	time.Sleep(300 * time.Millisecond) // nothing more is due: no refresh
	at := garps.times()
	if len(at) != 6 || at[3].Sub(at[0]) < 400*time.Millisecond {
		t.Fatalf("announcements at %v; want 3, then 3 more after garp_master_delay", at)
	}
	if holdsVIP(t, ns[1], "192.0.2.10") {
		t.Fatal("the backup holds the VIP")
	}

	if err := p1.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitExitOK(t, "lb1", c1)
	if holdsVIP(t, ns[0], "192.0.2.10") || len(zero.times()) == 0 {
		t.Fatalf("after SIGTERM: lb1 holds the VIP %v, priority-0 adverts seen %d", holdsVIP(t, ns[0], "192.0.2.10"), len(zero.times()))
	}
	eventually(t, "lb2 master with the VIP", func() bool { return vrrpState(t, s2) == "master" && holdsVIP(t, ns[1], "192.0.2.10") })
	eventually(t, "lb2's announcements", func() bool { return len(garps.times()) > 6 })
}
