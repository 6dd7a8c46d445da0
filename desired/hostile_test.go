package desired

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hostileWeb is a valid service file whose RADIUS check reads secret files.
const hostileWeb = `services:
  - name: web
    vip: 192.0.2.10
    ports: [{proto: udp, port: 1812}]
    checks: [{type: radius, user: probe, password_file: pw, secret_file: secret}]
    backends: [{address: 198.51.100.1}]
`

// loadWithin runs Load(dir) and fails the test when it does not return
// within 5 s (a blocking read of a named pipe never would).
func loadWithin(t *testing.T, dir string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { _, err := Load(dir); done <- err }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("Load(%s) still running after 5s", dir)
		return nil
	}
}

// wantLoadError fails the test unless err renders a line containing want.
func wantLoadError(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Load succeeded, want an error with %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("Load error:\n%v\nwant a line with %q", err, want)
	}
}

// symlink makes link point to target, failing the test on error.
func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// TestDevZeroRefused: a YAML file or a secret file linked to /dev/zero is
// refused as a character device before a byte is read.
func TestDevZeroRefused(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML})
	symlink(t, "/dev/zero", filepath.Join(dir, "zero.yaml"))
	wantLoadError(t, loadWithin(t, dir), "zero.yaml: read: not a regular file (character device)")

	dir = writeDir(t, map[string]string{"node.yaml": nodeYAML, "web.yaml": hostileWeb, "pw": "pw\n"})
	symlink(t, "/dev/zero", filepath.Join(dir, "secret"))
	wantLoadError(t, loadWithin(t, dir), "read secret file "+filepath.Join(dir, "secret")+": not a regular file (character device)")
}

// TestDirectoryAsConfigRefused: a directory named x.yaml and a symlink to
// .. are errors, not silently skipped.
func TestDirectoryAsConfigRefused(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML})
	if err := os.Mkdir(filepath.Join(dir, "sub.yaml"), 0o700); err != nil {
		t.Fatal(err)
	}
	symlink(t, "..", filepath.Join(dir, "up.yml"))
	err := loadWithin(t, dir)
	wantLoadError(t, err, "sub.yaml: read: not a regular file (directory)")
	wantLoadError(t, err, "up.yml: read: not a regular file (directory)")
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("error %v does not match ErrInvalid", err)
	}
}

// TestFileOverLimit: a file over the per-file limit is refused from its
// size alone (a sparse 17 MiB file under the default), and a secret file
// over a Loader's limit is refused too.
func TestFileOverLimit(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML})
	big, err := os.Create(filepath.Join(dir, "big.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(DefaultLimits.FileBytes + 1); err != nil {
		t.Fatal(err)
	}
	big.Close()
	wantLoadError(t, loadWithin(t, dir), "big.yaml: read: file too large: 16777217 bytes, over the limit of 16 MiB")

	dir = writeDir(t, map[string]string{"node.yaml": nodeYAML, "web.yaml": hostileWeb, "pw": "pw\n",
		"secret": strings.Repeat("s", 2000)})
	l := Loader{Dir: dir, Limits: Limits{FileBytes: 1024}}
	_, _, err = l.Load()
	wantLoadError(t, err, "read secret file "+filepath.Join(dir, "secret")+": file too large: 2000 bytes, over the limit of 1024 bytes")
}

// TestDirOverLimit: files each under the per-file limit but together over
// the directory's limit fail the load with one error of the directory.
func TestDirOverLimit(t *testing.T) {
	pad := "# " + strings.Repeat("x", 100) + "\n"
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML + pad, "web.yaml": "services: []\n" + pad})
	l := Loader{Dir: dir, Limits: Limits{DirBytes: 200}}
	_, _, err := l.Load()
	wantLoadError(t, err, "read configuration directory "+dir+": the configuration files total over the limit of 200 bytes")
	l.Limits.DirBytes = 300
	if _, _, err := l.Load(); err != nil {
		t.Fatalf("under the limit: %v", err)
	}
}

// TestErrorFlood: a file with 200,000 mistakes gives every one in Errors
// but renders MaxShownErrors lines and a count of the rest.
func TestErrorFlood(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML,
		"flood.yaml": "services:\n" + strings.Repeat("  - 1\n", 200_000)})
	_, err := Load(dir) // no time bound: the file is finite, only slow on a busy machine
	var es Errors
	if !errors.As(err, &es) || len(es) != 200_000 {
		t.Fatalf("got %d errors (%T), want 200000", len(es), err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != MaxShownErrors+1 {
		t.Fatalf("rendered %d lines, want %d", len(lines), MaxShownErrors+1)
	}
	if want := "... and 199,800 more errors"; lines[len(lines)-1] != want {
		t.Errorf("last line %q, want %q", lines[len(lines)-1], want)
	}
	if want := "flood.yaml:2:5: services[0]: want a mapping, got an integer"; lines[0] != want {
		t.Errorf("first line %q, want %q", lines[0], want)
	}
}
