package reconcile

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// TestLoopRunsBothSyncDaemonRoles: a VRRP node runs the master and the
// backup role whatever its mastership; without sync_daemon they are left alone.
func TestLoopRunsBothSyncDaemonRoles(t *testing.T) {
	f := kerneltest.NewIPVS()
	c, err := f.Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	l := NewLoop(LoopOptions{Kernel: c, SyncDaemons: c, Now: func() time.Time { return t0 }})
	cfg := config(t, "node.yaml", `node:
  name: lb1
  interface: [eth1, eth2]
  scope: {prefixes: [192.0.2.0/24]}
  vrrp: {vrid: 60, priority: 200, sync_daemon: {interface: eth2, sync_id: 60}}
`, "svc.yaml", "services:\n"+webYAML)
	daemons := func() []kernel.Daemon {
		ds, err := c.Daemons(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	round := func() Status {
		l.drainEvents()
		l.Round(context.Background())
		return l.Status()
	}
	l.SetConfig(cfg)
	if st := round(); st.Error != "" {
		t.Fatal(st.Error)
	}
	bothRoles := func(ds []kernel.Daemon) bool {
		var s kernel.DaemonState
		for _, d := range ds {
			if d.Interface != "eth2" || d.SyncID != 60 {
				return false
			}
			s |= d.State
		}
		return len(ds) == 2 && s == kernel.DaemonMaster|kernel.DaemonBackup
	}
	ds := daemons()
	if !bothRoles(ds) {
		t.Fatalf("as master: %+v", ds)
	}
	round() // unchanged: no restart (the kernel's defaults match the config's)
	if st := l.Status(); st.Error != "" {
		t.Fatal(st.Error)
	}
	l.SetMaster(false)
	if st := round(); st.Error != "" {
		t.Fatal(st.Error)
	}
	if ds = daemons(); !bothRoles(ds) {
		t.Fatalf("as backup: %+v", ds)
	}
	// Without sync_daemon in the config, daemons are left alone.
	l.SetConfig(services(t, webYAML))
	round()
	if ds = daemons(); !bothRoles(ds) {
		t.Fatalf("without sync_daemon: %+v", ds)
	}
}

func TestPlanDaemons(t *testing.T) {
	master := kernel.Daemon{State: kernel.DaemonMaster, Interface: "eth2", SyncID: 60, Port: 8848, TTL: 1}
	backup := master
	backup.State = kernel.DaemonBackup
	want := []kernel.Daemon{master, backup}
	// What the kernel reports back: its defaults filled in.
	filled := func(d kernel.Daemon) kernel.Daemon {
		d.MaxLen, d.Group = 1472, netip.MustParseAddr("224.0.0.81")
		return d
	}
	if stop, start := planDaemons([]kernel.Daemon{filled(master), filled(backup)}, want); len(stop) != 0 || len(start) != 0 {
		t.Fatalf("running daemons restarted: stop %v start %v", stop, start)
	}
	if stop, start := planDaemons([]kernel.Daemon{filled(backup)}, want); len(stop) != 0 || len(start) != 1 || start[0].State != kernel.DaemonMaster {
		t.Fatalf("backup only: stop %v start %v", stop, start)
	}
	if stop, start := planDaemons(nil, want); len(stop) != 0 || len(start) != 2 {
		t.Fatalf("none: stop %v start %v", stop, start)
	}
	other := filled(master)
	other.SyncID = 61
	if stop, start := planDaemons([]kernel.Daemon{other, filled(backup)}, want); len(stop) != 1 || stop[0] != kernel.DaemonMaster || len(start) != 1 || start[0].SyncID != 60 {
		t.Fatalf("changed sync id: stop %v start %v", stop, start)
	}
}
