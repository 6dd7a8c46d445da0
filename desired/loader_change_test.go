package desired

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// rewriteKeepingStamp overwrites path in place with text of the same size
// and puts the old modification time back, so inode, size and mtime all
// stay as they were.
func rewriteKeepingStamp(t *testing.T, path, text string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(text)) != fi.Size() {
		t.Fatalf("new text of %s has %d bytes, old %d", path, len(text), fi.Size())
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte(text), 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.Chtimes(path, time.Time{}, fi.ModTime()); err != nil {
		t.Fatal(err)
	}
}

// TestLoaderSeesEditKeepingStamp: an in-place edit that keeps the file's
// size and modification time is seen by the next Load.
func TestLoaderSeesEditKeepingStamp(t *testing.T) {
	web := "services:\n  - {name: web, vip: 192.0.2.10, ports: [{proto: tcp, port: 80}], backends: [{address: 198.51.100.1}]}\n"
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML, "web.yaml": web})
	l := Loader{Dir: dir}
	if _, _, err := l.Load(); err != nil {
		t.Fatal(err)
	}
	rewriteKeepingStamp(t, filepath.Join(dir, "web.yaml"), web[:len(web)-len("1}]}\n")]+"2}]}\n")
	cfg, reparsed, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Services[0].Backends[0].Address.String(); got != "198.51.100.2" || reparsed != 1 {
		t.Errorf("after the edit: backend %s, %d files re-parsed; want 198.51.100.2, 1", got, reparsed)
	}
	if _, reparsed, _ := l.Load(); reparsed != 0 {
		t.Errorf("unchanged directory re-parsed %d files", reparsed)
	}
}

// TestLoaderSeesSecretRotation: a secret file rewritten (even keeping its
// size and mtime) gives a new Config on the next Load, while the YAML
// file that names it is unchanged; Referenced lists the secret files.
func TestLoaderSeesSecretRotation(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML, "web.yaml": hostileWeb, "pw": "pw\n", "secret": "old-secret\n"})
	l := Loader{Dir: dir}
	cfg, _, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Services[0].Checks[0].RADIUS.Secret.Value(); got != "old-secret" {
		t.Fatalf("secret %q, want old-secret", got)
	}
	if want := []string{filepath.Join(dir, "pw"), filepath.Join(dir, "secret")}; !slices.Equal(l.Referenced(), want) {
		t.Errorf("Referenced() = %v, want %v", l.Referenced(), want)
	}
	if _, reparsed, _ := l.Load(); reparsed != 0 {
		t.Errorf("nothing changed, yet %d files re-parsed", reparsed)
	}
	rewriteKeepingStamp(t, filepath.Join(dir, "secret"), "new-secret\n")
	cfg, reparsed, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Services[0].Checks[0].RADIUS.Secret.Value(); got != "new-secret" || reparsed != 1 {
		t.Errorf("after rotation: secret %q, %d files re-parsed; want new-secret, 1", got, reparsed)
	}
	if err := os.Remove(filepath.Join(dir, "secret")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.Load(); err == nil {
		t.Error("Load succeeded with the secret file removed")
	}
}

// TestLoaderForget: after Forget the next Load parses every file again.
func TestLoaderForget(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML, "web.yaml": "services: []\n"})
	l := Loader{Dir: dir}
	if _, reparsed, err := l.Load(); err != nil || reparsed != 2 {
		t.Fatalf("first Load: %d re-parsed, %v", reparsed, err)
	}
	l.Forget()
	if _, reparsed, err := l.Load(); err != nil || reparsed != 2 {
		t.Fatalf("Load after Forget: %d re-parsed, %v; want 2", reparsed, err)
	}
}
