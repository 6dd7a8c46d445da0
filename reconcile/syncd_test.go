package reconcile

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

func TestLoopSwitchesSyncDaemonWithMastership(t *testing.T) {
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
	ds := daemons()
	if len(ds) != 1 || ds[0].State != kernel.DaemonMaster || ds[0].Interface != "eth2" || ds[0].SyncID != 60 {
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
	if ds = daemons(); len(ds) != 1 || ds[0].State != kernel.DaemonBackup {
		t.Fatalf("as backup: %+v", ds)
	}
	// Without sync_daemon in the config, daemons are left alone.
	l.SetConfig(services(t, webYAML))
	round()
	if ds = daemons(); len(ds) != 1 || ds[0].State != kernel.DaemonBackup {
		t.Fatalf("without sync_daemon: %+v", ds)
	}
}

func TestPlanDaemons(t *testing.T) {
	want := kernel.Daemon{State: kernel.DaemonMaster, Interface: "eth2", SyncID: 60, Port: 8848, TTL: 1}
	// What the kernel reports back for it: its defaults filled in.
	live := want
	live.MaxLen, live.Group = 1472, netip.MustParseAddr("224.0.0.81")
	if stop, start := planDaemons([]kernel.Daemon{live}, want); len(stop) != 0 || start != nil {
		t.Fatalf("running daemon restarted: stop %v start %v", stop, start)
	}
	backup := live
	backup.State = kernel.DaemonBackup
	if stop, start := planDaemons([]kernel.Daemon{backup}, want); len(stop) != 1 || stop[0] != kernel.DaemonBackup || start == nil {
		t.Fatalf("takeover: stop %v start %v", stop, start)
	}
	other := live
	other.SyncID = 61
	if stop, start := planDaemons([]kernel.Daemon{other}, want); len(stop) != 1 || start == nil {
		t.Fatalf("changed sync id: stop %v start %v", stop, start)
	}
}
