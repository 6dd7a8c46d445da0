package daemon

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mdlayher/arp"
	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/internal/testconfig"
	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// linkAddr is the hardware address of eth0 in namespace ns.
func linkAddr(t *testing.T, ns string) net.HardwareAddr {
	out, err := exec.Command("ip", "-n", ns, "-br", "link", "show", "dev", "eth0").CombinedOutput()
	if err != nil {
		t.Fatalf("ip link in %s: %v\n%s", ns, err, out)
	}
	f := strings.Fields(string(out))
	if len(f) < 3 {
		t.Fatalf("ip link in %s: %q has no hardware address", ns, out)
	}
	mac, err := net.ParseMAC(f[2])
	if err != nil {
		t.Fatalf("ip link in %s: %v", ns, err)
	}
	return mac
}

// recordHook writes a hook program that appends line (a shell word list
// in double quotes, SEESAW_* variables expanded) to a file named after
// $SEESAW_INSTANCE in the directory out; hookLines reads them.
func recordHook(t *testing.T, line string) (prog, out string) {
	t.Helper()
	out, prog = t.TempDir(), filepath.Join(t.TempDir(), "hook.sh")
	body := "#!/bin/sh\necho \"" + line + "\" >> '" + out + "'/\"$SEESAW_INSTANCE\"\n"
	if err := os.WriteFile(prog, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return prog, out
}

// hookLines reads the lines the test hook wrote for instance.
func hookLines(t *testing.T, dir, instance string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, instance))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// TestDaemonHooksAgainstKeepalived: a seesaw node with two VRRP instances
// and a notify hook, its peer a keepalived master of both. The hook runs
// on real transitions, once per instance and transition, with that
// instance's name and state in its environment: backup at start, master
// when keepalived stops (priority 0), backup again when keepalived comes
// back and preempts. The floating address 192.0.2.50/24 moves with db:
// seesaw holds it and announces it (a gratuitous ARP from seesaw's
// interface) while master, and gives it back when keepalived preempts.
func TestDaemonHooksAgainstKeepalived(t *testing.T) {
	testenv.RequireNetNS(t, "keepalived")
	ns := netnsPair(t)
	peer := webDBPeer(150, 150) // master of both, with every address
	ka := startKeepalived(t, ns[1], "keepalived", peer)
	ka.waitLog(t, "(VI_web) Entering MASTER STATE", 20*time.Second)
	ka.waitLog(t, "(VI_db) Entering MASTER STATE", 20*time.Second)

	floating, seesawMAC := netip.MustParseAddr("192.0.2.50"), linkAddr(t, ns[0])
	garps := &frameLog{}
	stop := make(chan struct{})
	defer close(stop)
	captureFrames(t, ns[1], "eth0", stop, map[*frameLog]func(uint16, []byte) bool{
		garps: func(et uint16, p []byte) bool {
			var a arp.Packet
			return et == unix.ETH_P_ARP && a.UnmarshalBinary(p) == nil && a.SenderIP == floating && a.TargetIP == floating &&
				slices.Equal(a.SenderHardwareAddr, seesawMAC)
		},
	})

	prog, out := recordHook(t, "$SEESAW_EVENT $SEESAW_INSTANCE $SEESAW_STATE<-$SEESAW_PREVIOUS_STATE $SEESAW_VIPS")
	notify := fmt.Sprintf("  notify:\n    - {name: record, on: [master, backup], run: [%q], timeout: 10s}\n", prog)
	s1 := netnsInstancesDaemon(t, ns[0], "lb1", 100, 100, notify)
	runs := func(n int) func() bool {
		return func() bool { return len(hookLines(t, out, "web")) >= n && len(hookLines(t, out, "db")) >= n }
	}
	eventually(t, "seesaw backup of both, its hook run once per instance", func() bool {
		return instanceStates(t, s1) == "web=backup db=backup" && heldAddrs(t, ns[0]) == "" && runs(1)()
	})

	stopKeepalived(t, ka)
	eventually(t, "seesaw master of both with every address, its hook run again per instance", func() bool {
		return instanceStates(t, s1) == "web=master db=master" &&
			heldAddrs(t, ns[0]) == "192.0.2.10/32 192.0.2.20/32 192.0.2.50/24" && runs(2)()
	})
	eventually(t, "seesaw's announcement of the floating address", func() bool { return len(garps.times()) > 0 })

	ka = startKeepalived(t, ns[1], "keepalived", peer)
	eventually(t, "keepalived master of both again, seesaw backup with no address", func() bool {
		return instanceStates(t, s1) == "web=backup db=backup" && heldAddrs(t, ns[0]) == "" &&
			heldAddrs(t, ns[1]) == "192.0.2.10/32 192.0.2.20/32 192.0.2.50/24" && runs(3)()
	})
	time.Sleep(300 * time.Millisecond) // a run too many would show

	want := map[string][]string{
		"web": {
			"backup web backup<-initialize 192.0.2.10",
			"master web master<-backup 192.0.2.10",
			"backup web backup<-master 192.0.2.10",
		},
		"db": {
			"backup db backup<-initialize 192.0.2.20 192.0.2.50",
			"master db master<-backup 192.0.2.20 192.0.2.50",
			"backup db backup<-master 192.0.2.20 192.0.2.50",
		},
	}
	for instance, w := range want {
		if got := hookLines(t, out, instance); !slices.Equal(got, w) {
			t.Errorf("hook runs for %s:\n%s\nwant:\n%s", instance, strings.Join(got, "\n"), strings.Join(w, "\n"))
		}
	}
}

// TestDaemonSyncGroupAgainstKeepalived: web and db in a sync group on
// both sides, seesaw's vrrp_sync_groups and keepalived's vrrp_sync_group.
// Seesaw is master of both; a failover of web alone moves both instances
// and every address to keepalived, and seesaw follows as backup of both;
// when keepalived stops, seesaw takes the whole group back.
func TestDaemonSyncGroupAgainstKeepalived(t *testing.T) {
	testenv.RequireNetNS(t, "keepalived")
	ns := netnsPair(t)
	peer := webDBPeer(100, 100)
	peer.SyncGroup = []string{"web", "db"}
	ka := startKeepalived(t, ns[1], "keepalived", peer)
	ka.waitLog(t, "(VI_db) Entering MASTER STATE", 20*time.Second)

	group := "  vrrp_sync_groups: [{name: lvs, instances: [web, db]}]\n"
	s1 := netnsInstancesDaemon(t, ns[0], "lb1", 150, 150, group)
	eventually(t, "seesaw master of the group, keepalived backup of it", func() bool {
		return instanceStates(t, s1) == "web=master db=master" &&
			heldAddrs(t, ns[0]) == "192.0.2.10/32 192.0.2.20/32 192.0.2.50/24" && heldAddrs(t, ns[1]) == ""
	})

	if err := NewClient(s1).FailoverInstance("web"); err != nil {
		t.Fatalf("failover --instance web: %v", err)
	}
	eventually(t, "keepalived master of the group, seesaw backup of it", func() bool {
		return instanceStates(t, s1) == "web=backup db=backup" && heldAddrs(t, ns[0]) == "" &&
			heldAddrs(t, ns[1]) == "192.0.2.10/32 192.0.2.20/32 192.0.2.50/24"
	})

	stopKeepalived(t, ka)
	eventually(t, "seesaw master of the group once keepalived stopped", func() bool {
		return instanceStates(t, s1) == "web=master db=master" &&
			heldAddrs(t, ns[0]) == "192.0.2.10/32 192.0.2.20/32 192.0.2.50/24"
	})
}

// TestDaemonSyncGroupJoinsAgainstKeepalived: seesaw backup of a sync group
// of web and db, its peer a keepalived that dies without a word (SIGKILL,
// no priority-0 advert). Web's master-down timer (about 4.3 s at 1.2 s
// adverts) fires before db's (about 7.2 s at 2 s adverts), and db, whose
// master has been quiet for over one and a half intervals by then, takes
// over with web: its master hook carries SEESAW_REASON=sync-group, not
// master-down.
func TestDaemonSyncGroupJoinsAgainstKeepalived(t *testing.T) {
	testenv.RequireNetNS(t, "keepalived")
	ns := netnsPair(t)
	peer := webDBPeer(150, 150)
	peer.Instances[0].Advert, peer.Instances[1].Advert = 1200*time.Millisecond, 2*time.Second
	ka := startKeepalived(t, ns[1], "keepalived", peer)
	ka.waitLog(t, "(VI_web) Entering MASTER STATE", 30*time.Second)
	ka.waitLog(t, "(VI_db) Entering MASTER STATE", 30*time.Second)

	prog, out := recordHook(t, "$SEESAW_EVENT $SEESAW_INSTANCE $SEESAW_REASON")
	node := testconfig.InstancesNode{Interface: "eth0", Web: "priority: 100, advert_interval: 1200ms", DB: "priority: 100, advert_interval: 2s",
		Extra: "  vrrp_sync_groups: [{name: lvs, instances: [web, db]}]\n" +
			fmt.Sprintf("  notify:\n    - {name: record, on: [master], run: [%q], timeout: 10s}\n", prog)}.String()
	dir := writeConfig(t, map[string]string{"node.yaml": node, "svc.yaml": instancesServices})
	s1, _, _ := netnsDaemonIn(t, ns[0], "lb1", dir, childRealAddrsEnv+"=1")
	eventually(t, "seesaw backup of both", func() bool { return instanceStates(t, s1) == "web=backup db=backup" })
	time.Sleep(2500 * time.Millisecond) // a full advert of each instance reaches seesaw

	pid := ka.keepalivedVRRPPID()
	if pid <= 0 {
		t.Fatal("keepalived wrote no VRRP pid")
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 30*time.Second, func() bool {
		return instanceStates(t, s1) == "web=master db=master" &&
			len(hookLines(t, out, "web")) >= 1 && len(hookLines(t, out, "db")) >= 1
	}, "seesaw master of both, its hook run for each")
	if got, want := hookLines(t, out, "web"), []string{"master web master-down"}; !slices.Equal(got, want) {
		t.Errorf("web's master hook runs %q, want %q", got, want)
	}
	if got, want := hookLines(t, out, "db"), []string{"master db sync-group"}; !slices.Equal(got, want) {
		t.Errorf("db's master hook runs %q, want %q (db waited out its own timer)", got, want)
	}
}
