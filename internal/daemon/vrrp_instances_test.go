package daemon

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/vrrp"
)

// instancesServices are a service on each instance and a floating /24
// address on db.
const instancesServices = `services:
  - name: web
    vip: 192.0.2.10
    vrrp_instance: web
    ports: [{proto: tcp, port: 80}]
    backends: [{address: 198.51.100.1}]
  - name: db
    vip: 192.0.2.20
    vrrp_instance: db
    ports: [{proto: tcp, port: 5432}]
    backends: [{address: 198.51.100.2}]
addresses:
  - {address: 192.0.2.50/24, vrrp_instance: db}
`

// instanceStates is "web=STATE db=STATE" from the daemon's status, or
// "unreachable".
func instanceStates(t *testing.T, socket string) string {
	t.Helper()
	r, err := NewClient(socket).Status()
	if err != nil {
		return "unreachable"
	}
	var parts []string
	for _, in := range r.VRRP.Instances {
		parts = append(parts, in.Name+"="+in.State)
	}
	return strings.Join(parts, " ")
}

// instancesDaemon runs one daemon with the VRRP instances web and db on
// the in-memory segment; extra is appended to its node section.
func instancesDaemon(t *testing.T, seg *memSegment, name, addr string, webPrio, dbPrio int, extra string) string {
	d, _ := fakeDeps(t)
	d.listenVRRP = func(vrrp.Config) (vrrp.Conn, error) { return seg.attach(addr), nil }
	node := fmt.Sprintf("node:\n  name: %s\n  interface: eth1\n  scope: {prefixes: [192.0.2.0/24]}\n  vrrp_instances:\n"+
		"    - {name: web, vrid: 61, priority: %d, advert_interval: 50ms}\n"+
		"    - {name: db, vrid: 62, priority: %d, advert_interval: 50ms}\n%s", name, webPrio, dbPrio, extra)
	dir := writeConfig(t, map[string]string{"node.yaml": node, "svc.yaml": instancesServices})
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
	return socket
}

// activeInstances is "web=ACTIVE db=ACTIVE" from the daemon's status:
// whether its last round held each instance's addresses.
func activeInstances(t *testing.T, socket string) string {
	r, err := NewClient(socket).Status()
	if err != nil {
		return "unreachable"
	}
	var parts []string
	for _, in := range r.VRRP.Instances {
		parts = append(parts, fmt.Sprintf("%s=%v", in.Name, in.Active))
	}
	return strings.Join(parts, " ")
}

// TestDaemonInstancesActiveActive: two daemons on one segment, each master
// of one instance; the reconcile loop of each holds its own instance's
// addresses; failover of one instance moves it alone, and a failover
// without --instance steps down from every instance the node is master of.
func TestDaemonInstancesActiveActive(t *testing.T) {
	seg := &memSegment{}
	s1 := instancesDaemon(t, seg, "lb1", "203.0.113.1", 150, 100, "")
	s2 := instancesDaemon(t, seg, "lb2", "203.0.113.2", 100, 150, "")
	eventually(t, "active/active", func() bool {
		return instanceStates(t, s1) == "web=master db=backup" && instanceStates(t, s2) == "web=backup db=master" &&
			activeInstances(t, s1) == "web=true db=false" && activeInstances(t, s2) == "web=false db=true"
	})
	if err := NewClient(s1).FailoverInstance("web"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "web on lb2 too", func() bool {
		return instanceStates(t, s1) == "web=backup db=backup" && instanceStates(t, s2) == "web=master db=master" &&
			activeInstances(t, s1) == "web=false db=false" && activeInstances(t, s2) == "web=true db=true"
	})
	if err := NewClient(s1).Failover(); err == nil || !strings.Contains(err.Error(), "master of none") {
		t.Fatalf("failover of a node master of nothing: %v", err)
	}
	if err := NewClient(s2).Failover(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "both instances on lb1", func() bool {
		return instanceStates(t, s1) == "web=master db=master" && instanceStates(t, s2) == "web=backup db=backup"
	})
}

// TestDaemonInstancesSyncGroup: a sync group steps down together, and a
// member that becomes master on a priority-0 advert brings the others.
func TestDaemonInstancesSyncGroup(t *testing.T) {
	seg := &memSegment{}
	group := "  vrrp_sync_groups: [{name: lvs, instances: [web, db]}]\n"
	s1 := instancesDaemon(t, seg, "lb1", "203.0.113.1", 150, 150, group)
	s2 := instancesDaemon(t, seg, "lb2", "203.0.113.2", 100, 100, group)
	eventually(t, "lb1 master of the group", func() bool {
		return instanceStates(t, s1) == "web=master db=master" && instanceStates(t, s2) == "web=backup db=backup"
	})
	if err := NewClient(s1).FailoverInstance("db"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the group on lb2", func() bool {
		return instanceStates(t, s1) == "web=backup db=backup" && instanceStates(t, s2) == "web=master db=master" &&
			activeInstances(t, s2) == "web=true db=true" && activeInstances(t, s1) == "web=false db=false"
	})
}
