//go:build linux

package daemon

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// socketStat returns the mode and group of the file at path.
func socketStat(t *testing.T, path string) (os.FileMode, int) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != os.ModeSocket {
		t.Fatalf("%s is %v, want a socket", path, fi.Mode().Type())
	}
	return fi.Mode().Perm(), int(fi.Sys().(*syscall.Stat_t).Gid)
}

func TestControlSocketMode(t *testing.T) {
	gid := os.Getegid()
	for name, tc := range map[string]struct {
		group string
		mode  os.FileMode
	}{
		"no group":   {"", 0o600},
		"with group": {strconv.Itoa(gid), 0o660},
	} {
		t.Run(name, func(t *testing.T) {
			d, _ := fakeDeps(t)
			dir := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": webFile(1)})
			runDir := t.TempDir()
			socket := filepath.Join(runDir, "ctl.sock")
			runTestDaemon(t, d, "--config-dir", dir, "--control-socket", socket, "--control-group", tc.group, "--metrics-address", "off")
			eventually(t, "the control socket", func() bool { _, err := os.Stat(socket); return err == nil })
			mode, owner := socketStat(t, socket) // the first stat: the mode is final from the start
			if mode != tc.mode || (tc.group != "" && owner != gid) {
				t.Fatalf("control socket mode %v group %d, want %v group %d", mode, owner, tc.mode, gid)
			}
			if entries, _ := os.ReadDir(runDir); len(entries) != 1 {
				t.Fatalf("the socket's directory holds %v, want only the socket", entries)
			}
			if err := ctl(socket, "drain", "198.51.100.2"); err != nil {
				t.Fatalf("drain by the daemon's own user: %v", err)
			}
		})
	}
}

func TestControlCommandsLogThePeer(t *testing.T) {
	d, _ := fakeDeps(t)
	dir := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": webFile(1)})
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	logs := runTestDaemon(t, d, "--config-dir", dir, "--control-socket", socket, "--metrics-address", "off")
	eventually(t, "the control socket", func() bool { return ctl(socket, "status") == nil })
	for _, cmd := range [][]string{{"drain", "198.51.100.2"}, {"enable", "198.51.100.2"}, {"failover"}} {
		_ = ctl(socket, cmd...) // failover fails on a standalone node, and is logged as well
	}
	peer := fmt.Sprintf("peer_known=true peer_pid=%d peer_uid=%d peer_gid=%d", os.Getpid(), os.Getuid(), os.Getgid())
	for _, want := range []string{
		`msg="control command" command=drain backend=198.51.100.2 ` + peer + ` result=ok`,
		`msg="control command" command=enable backend=198.51.100.2 ` + peer + ` result=ok`,
		`msg="control command" command=failover backend="" ` + peer + ` result="failover: no vrrp section`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s", want)
		}
	}
	if strings.Contains(logs.String(), "command=status") {
		t.Error("a status request was logged as a command")
	}
}
