package reconcile

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
)

const watchNode = "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]}}\n"

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// startWatch runs Watch on dir and counts the bursts it reports.
func startWatch(t *testing.T, dir string) *atomic.Int32 {
	_, n := startWatcher(t, dir)
	return n
}

// startWatcher is startWatch that also returns the Watcher.
func startWatcher(t *testing.T, dir string) (*Watcher, *atomic.Int32) {
	return startWatcherWith(t, dir, DefaultDebounce)
}

// startWatcherWith is startWatcher with debounce d.
func startWatcherWith(t *testing.T, dir string, d Debounce) (*Watcher, *atomic.Int32) {
	var n atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	w, err := NewWatcher(dir, d)
	if err != nil {
		t.Fatal(err)
	}
	go func() { done <- w.Run(ctx, func() { n.Add(1) }, func(err error) { t.Error(err) }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return w, &n
}

func TestWatchEditorRenameReplace(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "node.yaml"), watchNode)
	n := startWatch(t, dir)
	// vim/emacs style: write a temp file, rename over the original.
	tmp := filepath.Join(dir, ".node.yaml.swp")
	writeFile(t, tmp, watchNode+"# edited\n")
	if err := os.Rename(tmp, filepath.Join(dir, "node.yaml")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a change", func() bool { return n.Load() >= 1 })
	l := desired.Loader{Dir: dir}
	if _, _, err := l.Load(); err != nil {
		t.Fatal(err)
	}
}

func TestWatchBurstIsDebounced(t *testing.T) {
	dir := t.TempDir()
	n := startWatch(t, dir)
	// git checkout: many files at once.
	for i := range 50 {
		writeFile(t, filepath.Join(dir, "svc"+string(rune('a'+i%26))+string(rune('a'+i/26))+".yaml"), "services: []\n")
	}
	waitFor(t, "a change", func() bool { return n.Load() >= 1 })
	time.Sleep(2 * DefaultDebounce.Max)
	if got := n.Load(); got > 3 {
		t.Fatalf("a 50-file burst fired %d changes", got)
	}
}

func TestWatchConfigMapDataSwap(t *testing.T) {
	dir := t.TempDir()
	// ConfigMap layout: node.yaml -> ..data/node.yaml, ..data -> ..v1
	mk := func(v string) {
		if err := os.MkdirAll(filepath.Join(dir, v), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, v, "node.yaml"), watchNode+"# "+v+"\n")
	}
	mk("..v1")
	if err := os.Symlink("..v1", filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..data/node.yaml", filepath.Join(dir, "node.yaml")); err != nil {
		t.Fatal(err)
	}
	l := desired.Loader{Dir: dir}
	if _, parsed, err := l.Load(); err != nil || parsed != 1 {
		t.Fatalf("first load: %d parsed, %v", parsed, err)
	}
	if _, parsed, _ := l.Load(); parsed != 0 {
		t.Fatalf("unchanged directory re-parsed %d files", parsed)
	}
	n := startWatch(t, dir)
	mk("..v2")
	if err := os.Symlink("..v2", filepath.Join(dir, "..data_tmp")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a change", func() bool { return n.Load() >= 1 })
	if _, parsed, err := l.Load(); err != nil || parsed != 1 {
		t.Fatalf("after ..data swap: %d parsed, %v", parsed, err)
	}
}

// changeAfterWrite writes a file into dir and waits for a change beyond
// those counted so far: the watch of dir is live.
func changeAfterWrite(t *testing.T, n *atomic.Int32, path, what string) {
	t.Helper()
	time.Sleep(2 * DefaultDebounce.Quiet) // let earlier bursts fire first
	from := n.Load()
	writeFile(t, path, watchNode+"# "+what+"\n")
	waitFor(t, what, func() bool { return n.Load() > from })
}

// TestWatchDirRemovedAndRecreated: rm -rf of the directory, mkdir and new
// files is a change, and edits in the new directory are seen after it.
func TestWatchDirRemovedAndRecreated(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seesaw")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "node.yaml"), watchNode)
	n := startWatch(t, dir)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a change for the new directory", func() bool { return n.Load() >= 1 })
	changeAfterWrite(t, n, filepath.Join(dir, "node.yaml"), "an edit in the new directory")
	if _, _, err := (&desired.Loader{Dir: dir}).Load(); err != nil {
		t.Fatal(err)
	}
}

// TestWatchDirReplacedByRename: a new directory renamed over the old
// name (deploy: mv seesaw seesaw.old; mv seesaw.new seesaw) is a change,
// and edits in the new directory are seen after it.
func TestWatchDirReplacedByRename(t *testing.T) {
	top := t.TempDir()
	dir := filepath.Join(top, "seesaw")
	for _, d := range []string{dir, dir + ".new"} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(d, "node.yaml"), watchNode+"# "+d+"\n")
	}
	n := startWatch(t, dir)
	if err := os.Rename(dir, dir+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dir+".new", dir); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a change for the replaced directory", func() bool { return n.Load() >= 1 })
	changeAfterWrite(t, n, filepath.Join(dir, "node.yaml"), "an edit in the new directory")
}

// TestWatchAlsoReferencedDir: after Also, a rewritten secret file in
// another directory is a change.
func TestWatchAlsoReferencedDir(t *testing.T) {
	dir, secrets := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(secrets, "secret"), "old\n")
	w, n := startWatcher(t, dir)
	if err := w.Also([]string{filepath.Join(secrets, "secret")}); err != nil {
		t.Fatal(err)
	}
	changeAfterWrite(t, n, filepath.Join(secrets, "secret"), "a rotated secret")
}

// TestWatchAlsoParentDir: a secret beside the configuration directory (in
// the parent the watcher already watches) is watched after Also, while
// other entries of the parent are not changes.
func TestWatchAlsoParentDir(t *testing.T) {
	top := t.TempDir()
	dir := filepath.Join(top, "seesaw")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	w, n := startWatcher(t, dir)
	writeFile(t, filepath.Join(top, "unrelated"), "x\n")
	time.Sleep(4 * DefaultDebounce.Quiet)
	if got := n.Load(); got != 0 {
		t.Fatalf("an unrelated file beside the directory fired %d changes", got)
	}
	if err := w.Also([]string{filepath.Join(top, "secret")}); err != nil {
		t.Fatal(err)
	}
	changeAfterWrite(t, n, filepath.Join(top, "secret"), "a secret beside the directory")
}

// TestWatchSecretRotation is the daemon's reload path for a secret kept in
// its own directory: load, hand the Loader's referenced files to the
// watcher, rotate the secret; the watcher fires and the next load holds
// the new secret while the YAML file is unchanged.
func TestWatchSecretRotation(t *testing.T) {
	dir, secrets := t.TempDir(), t.TempDir()
	secret := filepath.Join(secrets, "radius")
	writeFile(t, secret, "old-secret\n")
	writeFile(t, filepath.Join(secrets, "pw"), "pw\n")
	writeFile(t, filepath.Join(dir, "node.yaml"), watchNode)
	writeFile(t, filepath.Join(dir, "radius.yaml"), "services:\n  - name: radius\n    vip: 192.0.2.10\n"+
		"    ports: [{proto: udp, port: 1812}]\n    checks: [{type: radius, user: probe, password_file: "+
		filepath.Join(secrets, "pw")+", secret_file: "+secret+"}]\n    backends: [{address: 198.51.100.1}]\n")
	l := desired.Loader{Dir: dir}
	if _, _, err := l.Load(); err != nil {
		t.Fatal(err)
	}
	w, n := startWatcher(t, dir)
	if err := w.Also(l.Referenced()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * DefaultDebounce.Quiet)
	writeFile(t, secret, "new-secret\n")
	waitFor(t, "a change for the rotated secret", func() bool { return n.Load() >= 1 })
	cfg, reparsed, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Services[0].Checks[0].RADIUS.Secret.Value(); got != "new-secret" || reparsed != 1 {
		t.Fatalf("after rotation: secret %q, %d files re-parsed; want new-secret, 1", got, reparsed)
	}
}
