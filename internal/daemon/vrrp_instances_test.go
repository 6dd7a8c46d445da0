package daemon

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/internal/testconfig"
	"github.com/seesaw-lb/seesaw/reconcile"
	"github.com/seesaw-lb/seesaw/vrrp"
)

// instancesServices are a service on each instance and a floating /24
// address on db.
const instancesServices = testconfig.InstancesServices

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
	socket, _ := instancesDaemonDir(t, seg, name, addr, webPrio, dbPrio, extra)
	return socket
}

// instancesDaemonDir is instancesDaemon that also returns the config
// directory.
func instancesDaemonDir(t *testing.T, seg *memSegment, name, addr string, webPrio, dbPrio int, extra string) (string, string) {
	d, _ := fakeDeps(t)
	d.listenVRRP = func(vrrp.Config) (vrrp.Conn, error) { return seg.attach(addr), nil }
	node := testconfig.InstancesNode{Name: name, Web: fmt.Sprintf("priority: %d, advert_interval: 200ms", webPrio),
		DB: fmt.Sprintf("priority: %d, advert_interval: 200ms", dbPrio), Extra: extra}.String()
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
	return socket, dir
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

// TestInstanceConfigs: each instance's virtual router advertises its own
// services' VIPs and floating addresses of its family, and its tracked
// services lower its priority alone.
func TestInstanceConfigs(t *testing.T) {
	node := testconfig.InstancesNode{Web: "track: {services: [{name: web, decrement: 30}]}", DB: "interface: eth2"}.String()
	cfg, err := desired.Load(writeConfig(t, map[string]string{"node.yaml": node, "svc.yaml": instancesServices}))
	if err != nil {
		t.Fatal(err)
	}
	vcs := vrrpConfigs(cfg)
	if len(vcs) != 2 || vcs["web"].VRID != 61 || vcs["db"].Interface != "eth2" {
		t.Fatalf("virtual routers %+v", vcs)
	}
	if got := fmt.Sprint(vcs["web"].VIPs, vcs["db"].VIPs); got != "[192.0.2.10] [192.0.2.20 192.0.2.50]" {
		t.Fatalf("VIPs web, db: %s", got)
	}
	down := []reconcile.ServiceStatus{{Name: "web", Up: false}, {Name: "db", Up: false}}
	if w, d := servicePenaltyOf(cfg, "web", down), servicePenaltyOf(cfg, "db", down); w != 30 || d != 0 {
		t.Fatalf("penalties web %d, db %d; want 30, 0", w, d)
	}
}

// TestInstanceMetrics: each instance's series carry its name.
func TestInstanceMetrics(t *testing.T) {
	w := &wiring{instances: map[string]*instanceView{}}
	for i, name := range []string{"web", "db"} {
		cfg := vrrp.Config{Interface: "mem0", VRID: uint8(61 + i), Priority: 100, AdvertInterval: 100 * time.Millisecond,
			VIPs: []netip.Addr{netip.MustParseAddr("192.0.2.10")}}
		node, err := vrrp.NewNode(cfg, (&memSegment{}).attach("203.0.113.1"), vrrp.SystemClock{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		w.instances[name] = &instanceView{name: name, node: node, cfg: cfg}
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(vrrpOnlyCollector{&collector{w: w}})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, mf := range mfs {
		if mf.GetName() != "seesaw_vrrp_state" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "instance" {
					seen[l.GetValue()] = true
				}
			}
		}
	}
	if !seen["web"] || !seen["db"] || len(seen) != 2 {
		t.Fatalf("seesaw_vrrp_state instances %v; want web and db", seen)
	}
}

// TestInstancesReloadLive: instances are removed, added and all dropped by
// reloads while the daemon runs; the others keep running through each.
func TestInstancesReloadLive(t *testing.T) {
	seg := &memSegment{}
	socket, dir := instancesDaemonDir(t, seg, "lb1", "203.0.113.1", 150, 150, "")
	eventually(t, "master of both", func() bool {
		return instanceStates(t, socket) == "web=master db=master" && activeInstances(t, socket) == "web=true db=true"
	})
	write := func(file, content string) { replaceFile(t, dir, file, content) }
	node := func(instances string) string {
		return "node:\n  name: lb1\n  interface: eth1\n  scope: {prefixes: [192.0.2.0/24]}\n" + instances
	}
	webOnly := "  vrrp_instances:\n    - {name: web, vrid: 61, priority: 150, advert_interval: 50ms}\n"
	onWeb := strings.ReplaceAll(instancesServices, "vrrp_instance: db", "vrrp_instance: web")
	write("svc.yaml", onWeb)
	write("node.yaml", node(webOnly))
	eventually(t, "db gone, web still master", func() bool {
		return instanceStates(t, socket) == "web=master" && activeInstances(t, socket) == "web=true"
	})
	write("node.yaml", node(webOnly+"    - {name: db, vrid: 62, priority: 150, advert_interval: 50ms}\n"))
	write("svc.yaml", instancesServices)
	eventually(t, "db back, master again", func() bool {
		return instanceStates(t, socket) == "web=master db=master" && activeInstances(t, socket) == "web=true db=true"
	})
	write("svc.yaml", strings.NewReplacer("    vrrp_instance: db\n", "", "    vrrp_instance: web\n", "", ", vrrp_instance: db", "").Replace(instancesServices))
	write("node.yaml", node(""))
	eventually(t, "standalone", func() bool {
		r, err := NewClient(socket).Status()
		return err == nil && r.VRRP.State == "standalone" && r.VRRP.Active && len(r.VRRP.Instances) == 0
	})
}

// TestPlanInputsDescribeInstances: the plan's first line says which
// instances the daemon is master of; the one instance of node.vrrp reads
// as before.
func TestPlanInputsDescribeInstances(t *testing.T) {
	for _, tc := range []struct {
		in   PlanInputs
		want string
	}{
		{PlanInputs{VRRP: true, Instances: map[string]bool{"web": true, "db": false}}, "daemon: master of web; backup of db, generation 0"},
		{PlanInputs{VRRP: true, Instances: map[string]bool{"default": true}}, "daemon: master, generation 0"},
		{PlanInputs{VRRP: true, Instances: map[string]bool{"default": false}}, "daemon: backup, generation 0"},
	} {
		if got := tc.in.Describe(); !strings.Contains(got, tc.want) {
			t.Errorf("Describe() = %q, want it to contain %q", got, tc.want)
		}
	}
}

// TestSyncGroupPreemptsTogether: a higher-priority node that joins takes
// the whole group from the running one (it preempts, and the preempted
// node's group steps down together), and the roles then hold.
func TestSyncGroupPreemptsTogether(t *testing.T) {
	seg := &memSegment{}
	group := "  vrrp_sync_groups: [{name: lvs, instances: [web, db]}]\n"
	s2 := instancesDaemon(t, seg, "lb2", "203.0.113.2", 100, 100, group)
	eventually(t, "lb2 master of the group", func() bool { return instanceStates(t, s2) == "web=master db=master" })
	s1 := instancesDaemon(t, seg, "lb1", "203.0.113.1", 150, 150, group)
	eventually(t, "lb1 takes the group", func() bool {
		return instanceStates(t, s1) == "web=master db=master" && instanceStates(t, s2) == "web=backup db=backup"
	})
	for range 10 {
		time.Sleep(50 * time.Millisecond)
		if a, b := instanceStates(t, s1), instanceStates(t, s2); a != "web=master db=master" || b != "web=backup db=backup" {
			t.Fatalf("the roles moved after the takeover: lb1 %s, lb2 %s", a, b)
		}
	}
}
