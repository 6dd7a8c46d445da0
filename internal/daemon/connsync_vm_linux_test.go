package daemon

import (
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
)

// TestHandoffConnsReachesThePeersBackupDaemon makes a connection through
// the VM's IPVS (a local client to a DR service), hands the table over on
// a veth to a namespace that runs the same service and the kernel's backup
// sync daemon, and waits for the connection to appear there: the real
// kernel reads the messages handoffConns builds from the real
// /proc/net/ip_vs_conn. The kernel's own master daemon is not running, so
// nothing else could have synced it.
func TestHandoffConnsReachesThePeersBackupDaemon(t *testing.T) {
	requireVM(t)
	ipvsadm(t, "-C")
	peer := "ssd-handoff"
	sh(t, "ip", "netns", "add", peer)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", peer).Run() })
	sh(t, "ip", "link", "add", "hoff0", "type", "veth", "peer", "name", "eth0", "netns", peer)
	t.Cleanup(func() { exec.Command("ip", "link", "del", "hoff0").Run() })
	sh(t, "ip", "addr", "add", "203.0.113.1/24", "dev", "hoff0")
	sh(t, "ip", "link", "set", "hoff0", "up")
	sh(t, "ip", "-n", peer, "addr", "add", "203.0.113.2/24", "dev", "eth0")
	sh(t, "ip", "-n", peer, "link", "set", "eth0", "up")
	sh(t, "ip", "addr", "add", "192.0.2.77/32", "dev", "lo")
	t.Cleanup(func() { exec.Command("ip", "addr", "del", "192.0.2.77/32", "dev", "lo").Run() })

	for _, ns := range [][]string{nil, {"ip", "netns", "exec", peer}} {
		sh(t, append(ns, "ipvsadm", "-A", "-t", "192.0.2.77:80", "-s", "wrr")...)
		sh(t, append(ns, "ipvsadm", "-a", "-t", "192.0.2.77:80", "-r", "203.0.113.9:80", "-g")...)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "exec", peer, "ipvsadm", "-C").Run() })
	sh(t, "ip", "netns", "exec", peer, "ipvsadm", "--start-daemon", "backup", "--mcast-interface", "eth0", "--syncid", "60")

	// A local client's SYN goes through IPVS (LOCAL_OUT) and makes a
	// SYN_RECV connection; the DR destination never answers.
	c, err := net.DialTimeout("tcp", "192.0.2.77:80", 300*time.Millisecond)
	if err == nil {
		c.Close()
	}
	table := ipvsadm(t, "-Lnc")
	if !strings.Contains(table, "192.0.2.77:80") {
		t.Fatalf("no connection through IPVS to hand over:\n%s", table)
	}

	cfg := desired.Config{Services: []desired.Service{{VIP: netip.MustParseAddr("192.0.2.77"),
		Ports: []desired.Port{{Proto: desired.TCP, Port: 80}}}}}
	sent, skipped, err := handoffConns(cfg, desired.SyncDaemon{Interface: "hoff0", SyncID: 60})
	if err != nil || sent < 1 {
		t.Fatalf("handoffConns: sent %d, skipped %d, %v\nlocal table:\n%s", sent, skipped, err, table)
	}
	var got string
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		out, _ := exec.Command("ip", "netns", "exec", peer, "ipvsadm", "-Lnc").CombinedOutput()
		if got = string(out); strings.Contains(got, "192.0.2.77:80") && strings.Contains(got, "203.0.113.9:80") {
			return
		}
	}
	t.Fatalf("the peer's table lacks the handed-over connection (sent %d):\nlocal:\n%s\npeer:\n%s", sent, table, got)
}
