//go:build unix

package desired

import (
	"errors"
	"net"
	"path/filepath"
	"syscall"
	"testing"
)

// mkfifo makes a named pipe at path, failing the test on error.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestFIFORefused: a named pipe as a YAML file or as a secret file, with no
// writer, is refused at once instead of blocking the load.
func TestFIFORefused(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML})
	mkfifo(t, filepath.Join(dir, "x.yaml"))
	wantLoadError(t, loadWithin(t, dir), "x.yaml: read: not a regular file (named pipe)")

	dir = writeDir(t, map[string]string{"node.yaml": nodeYAML, "web.yaml": hostileWeb, "secret": "s\n"})
	mkfifo(t, filepath.Join(dir, "pw"))
	wantLoadError(t, loadWithin(t, dir), "read secret file "+filepath.Join(dir, "pw")+": not a regular file (named pipe)")

	// ReadFile (the daemon's read of CA bundles) refuses it at once too.
	if _, err := ReadFile(filepath.Join(dir, "pw")); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadFile of a named pipe: %v, want ErrNotRegular", err)
	}
}

// TestSocketRefused: a unix socket named x.yaml is refused as a socket.
func TestSocketRefused(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML})
	l, err := net.Listen("unix", filepath.Join(dir, "x.yaml"))
	if err != nil {
		t.Skip("no unix socket here:", err)
	}
	defer l.Close()
	wantLoadError(t, loadWithin(t, dir), "x.yaml: read: not a regular file (socket)")
}
