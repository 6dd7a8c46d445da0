package daemon

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testconfig"
	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// instancesNode is the two-instance node (testconfig.InstancesNode) on
// eth0 with 100 ms adverts, at the given priorities, and extra node keys.
func instancesNode(name string, webPrio, dbPrio int, extra string) string {
	return testconfig.InstancesNode{Name: name, Interface: "eth0", Web: fmt.Sprintf("priority: %d, advert_interval: 100ms", webPrio),
		DB: fmt.Sprintf("priority: %d, advert_interval: 100ms", dbPrio), Extra: extra}.String()
}

// netnsInstancesDaemon runs a daemon with instancesNode and
// instancesServices in namespace ns, managing real addresses; it returns
// the daemon's control socket.
func netnsInstancesDaemon(t *testing.T, ns, name string, webPrio, dbPrio int, extra string) string {
	dir := writeConfig(t, map[string]string{"node.yaml": instancesNode(name, webPrio, dbPrio, extra), "svc.yaml": instancesServices})
	socket, _, _ := netnsDaemonIn(t, ns, name, dir, childRealAddrsEnv+"=1")
	return socket
}

// heldAddrs lists the 192.0.2.x addresses on eth0 of namespace ns, sorted.
func heldAddrs(t *testing.T, ns string) string {
	out, err := exec.Command("ip", "-n", ns, "-o", "addr", "show", "dev", "eth0").CombinedOutput()
	if err != nil {
		t.Fatalf("ip addr in %s: %v\n%s", ns, err, out)
	}
	var held []string
	for _, f := range strings.Fields(string(out)) {
		if strings.HasPrefix(f, "192.0.2.") {
			held = append(held, f)
		}
	}
	slices.Sort(held)
	return strings.Join(held, " ")
}

// TestDaemonsInNamespacesActiveActive: two daemon processes, each master of
// one of two VRRP instances (real VRRP sockets, real addresses, fake IPVS):
// each holds its instance's VIP, and the db instance's floating /24 address
// follows it. A failover of instance web moves web alone: db stays where
// it is, on both nodes, all along.
func TestDaemonsInNamespacesActiveActive(t *testing.T) {
	testenv.RequireNetNS(t)
	ns := netnsPair(t)
	s1 := netnsInstancesDaemon(t, ns[0], "lb1", 150, 100, "")
	s2 := netnsInstancesDaemon(t, ns[1], "lb2", 100, 150, "")
	eventually(t, "lb1 master of web, lb2 master of db, each with its addresses", func() bool {
		return instanceStates(t, s1) == "web=master db=backup" && instanceStates(t, s2) == "web=backup db=master" &&
			heldAddrs(t, ns[0]) == "192.0.2.10/32" && heldAddrs(t, ns[1]) == "192.0.2.20/32 192.0.2.50/24"
	})
	if r := statusOf(t, s1); len(r.VRRP.Instances) != 2 || !r.VRRP.Instances[0].Active || r.VRRP.Instances[1].Active {
		t.Fatalf("lb1 status instances %+v; want web active, db not", r.VRRP.Instances)
	}
	if err := NewClient(s1).FailoverInstance("nosuch"); err == nil || !strings.Contains(err.Error(), "web, db") {
		t.Fatalf("failover of an unknown instance: %v; want an error naming web, db", err)
	}
	if err := NewClient(s2).FailoverInstance("web"); err == nil {
		t.Fatal("failover of an instance the node is backup of succeeded")
	}

	if err := NewClient(s1).FailoverInstance("web"); err != nil {
		t.Fatalf("failover --instance web: %v", err)
	}
	dbMoved := ""
	eventually(t, "lb2 master of web and db, lb1 of none", func() bool {
		if a, b := instanceStates(t, s1), instanceStates(t, s2); !strings.HasSuffix(a, "db=backup") || !strings.HasSuffix(b, "db=master") {
			dbMoved = a + " / " + b
		}
		return instanceStates(t, s1) == "web=backup db=backup" && instanceStates(t, s2) == "web=master db=master" &&
			heldAddrs(t, ns[0]) == "" && heldAddrs(t, ns[1]) == "192.0.2.10/32 192.0.2.20/32 192.0.2.50/24"
	})
	if dbMoved != "" {
		t.Fatalf("instance db moved during the failover of web: %s", dbMoved)
	}
}

// TestDaemonsInNamespacesSyncGroupMovesTogether: with web and db in one
// sync group, lb1 is master of both; a failover of web alone moves db too,
// and lb2 then holds every address of both.
func TestDaemonsInNamespacesSyncGroupMovesTogether(t *testing.T) {
	testenv.RequireNetNS(t)
	ns := netnsPair(t)
	group := "  vrrp_sync_groups: [{name: lvs, instances: [web, db]}]\n"
	s1 := netnsInstancesDaemon(t, ns[0], "lb1", 150, 150, group)
	s2 := netnsInstancesDaemon(t, ns[1], "lb2", 100, 100, group)
	eventually(t, "lb1 master of both instances", func() bool {
		return instanceStates(t, s1) == "web=master db=master" && instanceStates(t, s2) == "web=backup db=backup" &&
			heldAddrs(t, ns[0]) == "192.0.2.10/32 192.0.2.20/32 192.0.2.50/24"
	})
	if g := statusOf(t, s1).VRRP.Instances[1].SyncGroup; g != "lvs" {
		t.Fatalf("status names sync group %q for db; want lvs", g)
	}
	if err := NewClient(s1).FailoverInstance("web"); err != nil {
		t.Fatalf("failover --instance web: %v", err)
	}
	eventually(t, "the whole group on lb2", func() bool {
		return instanceStates(t, s1) == "web=backup db=backup" && instanceStates(t, s2) == "web=master db=master" &&
			heldAddrs(t, ns[0]) == "" && heldAddrs(t, ns[1]) == "192.0.2.10/32 192.0.2.20/32 192.0.2.50/24"
	})
}

// TestDaemonInstancesAgainstKeepalived: each of a seesaw node's two
// instances has a keepalived vrrp_instance as its peer: seesaw is master
// of web, keepalived of db, each holding its instance's addresses; a
// failover of web hands it to keepalived and leaves db where it is; after
// keepalived stops, seesaw takes both.
func TestDaemonInstancesAgainstKeepalived(t *testing.T) {
	testenv.RequireNetNS(t, "keepalived")
	ns := netnsPair(t)
	ka := startKeepalived(t, ns[1], "keepalived", webDBPeer(100, 150))
	ka.waitLog(t, "(VI_db) Entering MASTER STATE", 10*time.Second)

	s1 := netnsInstancesDaemon(t, ns[0], "lb1", 150, 100, "")
	eventually(t, "seesaw master of web, keepalived of db", func() bool {
		return instanceStates(t, s1) == "web=master db=backup" && heldAddrs(t, ns[0]) == "192.0.2.10/32" &&
			heldAddrs(t, ns[1]) == "192.0.2.20/32 192.0.2.50/24"
	})
	ka.waitLog(t, "(VI_web) Entering BACKUP STATE", 5*time.Second)

	if err := NewClient(s1).FailoverInstance("web"); err != nil {
		t.Fatalf("failover --instance web: %v", err)
	}
	eventually(t, "keepalived master of both", func() bool {
		return instanceStates(t, s1) == "web=backup db=backup" && heldAddrs(t, ns[0]) == "" &&
			heldAddrs(t, ns[1]) == "192.0.2.10/32 192.0.2.20/32 192.0.2.50/24"
	})

	stopKeepalived(t, ka)
	eventually(t, "seesaw master of both once keepalived stopped", func() bool {
		return instanceStates(t, s1) == "web=master db=master" && heldAddrs(t, ns[0]) == "192.0.2.10/32 192.0.2.20/32 192.0.2.50/24"
	})
}
