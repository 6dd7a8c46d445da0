//go:build linux

package desired

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// hourAhead is a Loader clock an hour ahead, so every file of a test is
// older than the racy window.
func hourAhead() time.Time { return time.Now().Add(time.Hour) }

// loadReads loads and returns how many files the Load read.
func loadReads(t *testing.T, l *Loader) (Config, int) {
	t.Helper()
	cfg, _, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cfg, l.reads
}

// TestLoaderStampSkipsUnchanged: files whose stamps are older than the
// racy window are not read again while their stat stays the same; an
// in-place rewrite keeping size and mtime, and a rename over the file
// with the old mtime put back, are both read and seen.
func TestLoaderStampSkipsUnchanged(t *testing.T) {
	web := "services:\n  - {name: web, vip: 192.0.2.10, ports: [{proto: tcp, port: 80}], backends: [{address: 198.51.100.1}]}\n"
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML, "web.yaml": web, "other.yaml": "services: []\n"})
	l := Loader{Dir: dir, now: hourAhead}
	if _, n := loadReads(t, &l); n != 3 {
		t.Fatalf("first Load read %d files, want 3", n)
	}
	if _, n := loadReads(t, &l); n != 0 {
		t.Fatalf("unchanged directory: %d files read, want 0", n)
	}
	path := filepath.Join(dir, "web.yaml")
	rewriteKeepingStamp(t, path, web[:len(web)-len("1}]}\n")]+"2}]}\n")
	cfg, n := loadReads(t, &l)
	if got := cfg.Services[0].Backends[0].Address.String(); got != "198.51.100.2" || n != 1 {
		t.Fatalf("in-place rewrite: backend %s, %d files read; want 198.51.100.2, 1", got, n)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), "web.yaml")
	if err := os.WriteFile(tmp, []byte(web[:len(web)-len("1}]}\n")]+"3}]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(tmp, time.Time{}, fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	cfg, n = loadReads(t, &l)
	if got := cfg.Services[0].Backends[0].Address.String(); got != "198.51.100.3" || n != 1 {
		t.Fatalf("rename over: backend %s, %d files read; want 198.51.100.3, 1", got, n)
	}
}

// TestLoaderStampRacy: a file written within the racy window of the read
// that saw it is read on every Load, so a rewrite that a coarse-grained
// filesystem leaves with the same stat is still seen. The test makes the
// cached stat equal to the rewritten file's, as such a filesystem would;
// with the clock an hour ahead the same trick hides the rewrite, which is
// what the window is for.
func TestLoaderStampRacy(t *testing.T) {
	web := "services:\n  - {name: web, vip: 192.0.2.10, ports: [{proto: tcp, port: 80}], backends: [{address: 198.51.100.1}]}\n"
	for _, tc := range []struct {
		name string
		now  func() time.Time
		want string
	}{
		{"recent", nil, "198.51.100.2"},
		{"old", hourAhead, "198.51.100.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeDir(t, map[string]string{"node.yaml": nodeYAML, "web.yaml": web})
			l := Loader{Dir: dir, now: tc.now}
			loadReads(t, &l)
			if _, n := loadReads(t, &l); tc.now == nil && n != 2 {
				t.Fatalf("files written just now: %d read, want 2 (every one)", n)
			}
			path := filepath.Join(dir, "web.yaml")
			rewriteKeepingStamp(t, path, web[:len(web)-len("1}]}\n")]+"2}]}\n")
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			c := l.cache["web.yaml"]
			c.stamp.stamp, _ = stampOf(fi)
			l.cache["web.yaml"] = c
			cfg, _ := loadReads(t, &l)
			if got := cfg.Services[0].Backends[0].Address.String(); got != tc.want {
				t.Errorf("backend %s, want %s", got, tc.want)
			}
		})
	}
}

// TestLoaderStampSecret: a referenced file with an old stamp is not read
// again; rotating it in place (same size and mtime) is seen.
func TestLoaderStampSecret(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML, "web.yaml": hostileWeb, "pw": "pw\n", "secret": "old-secret\n"})
	l := Loader{Dir: dir, now: hourAhead}
	if _, n := loadReads(t, &l); n != 4 {
		t.Fatalf("first Load read %d files, want 4 (2 configuration, 2 referenced)", n)
	}
	if _, n := loadReads(t, &l); n != 0 {
		t.Fatalf("unchanged: %d files read, want 0", n)
	}
	rewriteKeepingStamp(t, filepath.Join(dir, "secret"), "new-secret\n")
	cfg, n := loadReads(t, &l)
	if got := cfg.Services[0].Checks[0].RADIUS.Secret.Value(); got != "new-secret" {
		t.Fatalf("after rotation: secret %q, want new-secret", got)
	}
	if n < 2 {
		t.Errorf("after rotation: %d files read, want the secret and the file naming it", n)
	}
}
