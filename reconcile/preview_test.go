package reconcile

import (
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// TestTargetSnapshotIsTheAppliedTable: for every example, the table
// Target.Snapshot returns is the table the plan leaves in the fake kernel,
// and planning the same config against it changes nothing (diff relies on
// both).
func TestTargetSnapshotIsTheAppliedTable(t *testing.T) {
	if _, err := os.Stat("../examples"); errors.Is(err, fs.ErrNotExist) {
		t.Skip("examples/ is not here: the test binary runs outside the source tree (the VM); make unit runs it")
	}
	var dirs []string
	err := filepath.WalkDir("../examples", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if ms, _ := filepath.Glob(filepath.Join(path, "node.yaml")); len(ms) > 0 {
			dirs = append(dirs, path)
		}
		return nil
	})
	if err != nil || len(dirs) < 5 {
		t.Fatalf("example directories: %v, %v", dirs, err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			cfg, err := desired.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			in := Inputs{Config: cfg, Master: true, Now: now}
			out := Compute(kernel.Snapshot{}, in)
			_, c := fakeWith(t, out.Plan.Ops()...)
			if got, want := kernel.RenderIPVSADM(out.Target.Snapshot()), kernel.RenderIPVSADM(snapshot(t, c)); got != want {
				t.Fatalf("Target.Snapshot:\n%s\nthe kernel after the plan:\n%s", got, want)
			}
			in.States = out.States
			if again := Compute(out.Target.Snapshot(), in); !again.Plan.Empty() {
				t.Fatalf("planning %s against its own target: %s", dir, planText(t, again.Plan))
			}
		})
	}
}

func TestPreviewOfAddressesAndSyncDaemon(t *testing.T) {
	node := "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]},\n" +
		"  vrrp: {vrid: 60, priority: 200, peers: [192.0.2.3], sync_daemon: {interface: eth1, sync_id: 60}}}\n"
	cfg := config(t, "node.yaml", node, "svc.yaml", "services:\n  - {name: web, vip: 192.0.2.10, ports: [{proto: tcp, port: 80}], backends: [{address: 198.51.100.1}]}\n")
	live := map[string][]netip.Prefix{"eth1": {
		netip.MustParsePrefix("192.0.2.2/24"),    // the node's own address: never touched
		netip.MustParsePrefix("192.0.2.99/32"),   // in the scope, not configured: removed
		netip.MustParsePrefix("203.0.113.50/32"), // outside the scope: the daemon's only if it holds it
	}}
	out := Compute(kernel.Snapshot{}, Inputs{Config: cfg, Master: true})
	backup := Compute(kernel.Snapshot{}, Inputs{Config: cfg, Master: false})
	// With nothing running, the preview starts both roles, master or not.
	start := PreviewOf(cfg, backup, false, nil, nil, nil, true).StartSyncDaemons
	if len(start) != 2 || start[0].State != kernel.DaemonMaster || start[1].State != kernel.DaemonBackup ||
		start[1].Interface != "eth1" || start[1].SyncID != 60 {
		t.Fatalf("sync daemons of a backup, none running: %+v", start)
	}
	bothRunning := start
	backupRunning := start[1:]

	p := PreviewOf(cfg, out, true, live, nil, backupRunning, true)
	addr := func(s string) Address { return Address{Interface: "eth1", Prefix: netip.MustParsePrefix(s)} }
	if !slices.Equal(p.AddAddresses, []Address{addr("192.0.2.10/32")}) || !slices.Equal(p.DeleteAddresses, []Address{addr("192.0.2.99/32")}) {
		t.Fatalf("addresses: add %v, delete %v", p.AddAddresses, p.DeleteAddresses)
	}
	if !p.SyncDaemonManaged || len(p.StopSyncDaemons) != 0 ||
		len(p.StartSyncDaemons) != 1 || p.StartSyncDaemons[0].State != kernel.DaemonMaster || p.Empty() {
		t.Fatalf("sync daemons with only the backup role running: %+v", p)
	}
	held := []Address{addr("203.0.113.50/32")}
	if p := PreviewOf(cfg, out, true, live, held, nil, false); !slices.Contains(p.DeleteAddresses, addr("203.0.113.50/32")) || len(p.StartSyncDaemons) != 0 {
		t.Fatalf("a held address outside the scope, sync daemons not read: %+v", p)
	}
	if p := PreviewOf(cfg, backup, false, map[string][]netip.Prefix{"eth1": nil}, nil, bothRunning, true); !p.Empty() {
		t.Fatalf("a backup with nothing to change: %+v", p)
	}
	if p := PreviewOf(cfg, out, true, nil, nil, nil, false); len(p.AddAddresses)+len(p.DeleteAddresses) != 0 {
		t.Fatalf("addresses not read: %+v", p)
	}
}
