package daemon

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/kapeer"
)

// webDBPeer is keepalived's side of instancesNode: VI_web (VRID 61,
// 192.0.2.10/32) and VI_db (VRID 62, 192.0.2.20/32 and the floating
// 192.0.2.50/24) at the given priorities, both advertising every 100 ms,
// router id ka2.
func webDBPeer(webPrio, dbPrio int) kapeer.Peer {
	return kapeer.Peer{RouterID: "ka2", Instances: []kapeer.Instance{
		{Name: "web", VRID: 61, Priority: webPrio, Advert: 100 * time.Millisecond, VIPs: []string{"192.0.2.10/32"}},
		{Name: "db", VRID: 62, Priority: dbPrio, Advert: 100 * time.Millisecond, VIPs: []string{"192.0.2.20/32", "192.0.2.50/24"}},
	}}
}

// startKeepalived runs keepalived's VRRP subsystem as peer in namespace
// ns, with its config and pid files in a directory of its own; name
// labels its log. It is killed when the test ends.
func startKeepalived(t *testing.T, ns, name string, peer kapeer.Peer) *nsProc {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, kapeer.ConfFile), []byte(peer.Conf()), 0o600); err != nil {
		t.Fatal(err)
	}
	ka := &nsProc{name: name, dir: dir, cmd: kapeer.Command(ns, dir)}
	ka.start(t)
	return ka
}

// stopKeepalived sends keepalived SIGTERM (it sends priority 0 for every
// instance) and waits for it to exit.
func stopKeepalived(t *testing.T, ka *nsProc) {
	t.Helper()
	if err := ka.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ka.exited:
	case <-time.After(30 * time.Second): // a hang guard, not a timing assertion
		t.Fatal("keepalived still running 30 s after SIGTERM")
	}
}
