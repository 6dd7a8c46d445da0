package desired

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestEmptyDirectory: a directory without configuration files is ErrNoFiles.
func TestEmptyDirectory(t *testing.T) {
	dir := writeDir(t, map[string]string{"README.md": "not config", ".hidden.yaml": "node: {}"})
	_, err := Load(dir)
	if !errors.Is(err, ErrNoFiles) {
		t.Fatalf("Load(empty) = %v, want ErrNoFiles", err)
	}
	if want := "read configuration directory " + dir + ": no *.yaml or *.yml files"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

// TestMissingDirectory: a missing directory is an error naming it.
func TestMissingDirectory(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Load(missing) = %v, want ErrNotExist", err)
	}
}

// TestUnreadableFile: a file that cannot be read is reported by name, and
// the other files' errors are still reported.
func TestUnreadableFile(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML,
		"web.yaml": "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 0}]\n"})
	// A dangling symlink is unreadable even for root (which ignores modes).
	if err := os.Symlink(filepath.Join(dir, "gone"), filepath.Join(dir, "api.yaml")); err != nil {
		t.Fatal(err)
	}
	got := loadErrors(t, dir)
	want := []string{"api.yaml: read: no such file or directory",
		"web.yaml:4:32: services[0].ports[0].port: 0 is out of range 1..65535"}
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", join(got), join(want))
	}
	if os.Geteuid() != 0 {
		p := filepath.Join(dir, "web.yaml")
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
		got = loadErrors(t, dir)
		if want := "web.yaml: read: permission denied"; !slices.Contains(got, want) {
			t.Errorf("errors %q lack %q", got, want)
		}
	}
}

// TestIgnoredFiles: hidden files, editor leftovers and other extensions are
// not read (each would be an error if it were).
func TestIgnoredFiles(t *testing.T) {
	bad := "this: is: not: valid"
	dir := writeDir(t, map[string]string{"node.yml": nodeYAML, ".#web.yaml": bad, "web.yaml~": bad,
		".web.yaml.swp": bad, ".hidden.yaml": bad, "notes.txt": bad, "#web.yaml#": bad})
	cfg := mustLoad(t, dir)
	if want := []string{"node.yml"}; !slices.Equal(cfg.Files, want) {
		t.Errorf("Files = %v, want %v", cfg.Files, want)
	}
}

// TestConfigMapSymlinks: a Kubernetes ConfigMap mount (files linked through
// a ..data symlink to a timestamped directory) loads, and after the ..data
// swap the new content is read.
func TestConfigMapSymlinks(t *testing.T) {
	dir := t.TempDir()
	v1 := filepath.Join(dir, "..2026_01_01")
	v2 := filepath.Join(dir, "..2026_01_02")
	for i, v := range []string{v1, v2} {
		if err := os.Mkdir(v, 0o700); err != nil {
			t.Fatal(err)
		}
		name := []string{"lb1", "lb2"}[i]
		if err := os.WriteFile(filepath.Join(v, "node.yaml"), []byte(strings.Replace(nodeYAML, "lb1", name, 1)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	must(t, os.Symlink(filepath.Base(v1), filepath.Join(dir, "..data")))
	must(t, os.Symlink("..data/node.yaml", filepath.Join(dir, "node.yaml")))
	if cfg := mustLoad(t, dir); cfg.Node.Name != "lb1" || !slices.Equal(cfg.Files, []string{"node.yaml"}) {
		t.Fatalf("before swap: node %q files %v", cfg.Node.Name, cfg.Files)
	}
	// The atomic swap: a new link renamed over ..data.
	must(t, os.Symlink(filepath.Base(v2), filepath.Join(dir, "..data_tmp")))
	must(t, os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")))
	if cfg := mustLoad(t, dir); cfg.Node.Name != "lb2" {
		t.Fatalf("after swap: node %q, want lb2", cfg.Node.Name)
	}
}

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestFileOrderIndependent: the Config does not depend on the order files
// are given to build, and services are sorted by name.
func TestFileOrderIndependent(t *testing.T) {
	files := map[string]string{"node.yaml": nodeYAML,
		"b.yaml": "services:\n  - name: alpha\n    vip: 192.0.2.2\n    ports: [{proto: udp, port: 53}, {proto: tcp, port: 53}]\n    backends: [{address: 198.51.100.9}, {address: 198.51.100.1}]\n",
		"a.yaml": "services:\n  - name: zulu\n    vip: 192.0.2.1\n    ports: [{proto: tcp, port: 80}]\n  - name: mike\n    vip: 192.0.2.3\n    ports: [{proto: tcp, port: 80}]\n"}
	dir := writeDir(t, files)
	want := mustLoad(t, dir)
	names := []string{"node.yaml", "b.yaml", "a.yaml"}
	var parsed []*parsedFile
	for _, n := range names {
		parsed = append(parsed, loadFile(dir, n, DefaultLimits, nil))
	}
	got, err := build(parsed)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("build(reordered) differs from Load")
	}
	var order []string
	for _, s := range got.Services {
		order = append(order, s.Name)
	}
	if !slices.Equal(order, []string{"alpha", "mike", "zulu"}) {
		t.Errorf("service order %v", order)
	}
	alpha := got.Services[0]
	if alpha.Ports[0] != (Port{TCP, 53}) || alpha.Backends[0].Address.String() != "198.51.100.1" {
		t.Errorf("alpha not normalized: ports %v backends %v", alpha.Ports, alpha.Backends)
	}
	if alpha.Source.File != "b.yaml" || alpha.Source.Line != 2 {
		t.Errorf("alpha source %+v, want b.yaml:2", alpha.Source)
	}
}

// TestReparseOneFile: a watcher re-parses only the changed file and rebuilds.
func TestReparseOneFile(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML,
		"web.yaml": "services:\n  - name: web\n    vip: 192.0.2.1\n    ports: [{proto: tcp, port: 80}]\n"})
	node, web := loadFile(dir, "node.yaml", DefaultLimits, nil), loadFile(dir, "web.yaml", DefaultLimits, nil)
	must(t, os.WriteFile(filepath.Join(dir, "web.yaml"), []byte("services:\n  - name: web\n    vip: 192.0.2.1\n    ports: [{proto: tcp, port: 8080}]\n"), 0o600))
	cfg, err := build([]*parsedFile{node, loadFile(dir, "web.yaml", DefaultLimits, nil)})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Services[0].Ports[0].Port != 8080 {
		t.Errorf("port %d after re-parse, want 8080", cfg.Services[0].Ports[0].Port)
	}
	if old, _ := build([]*parsedFile{node, web}); old.Services[0].Ports[0].Port != 80 {
		t.Errorf("the old parsedFile changed")
	}
}

// TestEveryErrorAtOnce: problems in several files and places are all reported, sorted.
func TestEveryErrorAtOnce(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML + "  resync_interval: 5\n",
		"web.yaml": "services:\n  - name: web\n    vip: 192.0.2.x\n    ports: [{proto: tcp, port: 80}]\n    scheduler: best\n    backends: [{address: 198.51.100.1, weight: -2}]\n"})
	got := loadErrors(t, dir)
	want := []string{
		"node.yaml:4:20: node.resync_interval: duration 5 has no unit; write e.g. 5s or 5ms",
		`web.yaml:3:10: services[0].vip: "192.0.2.x" is not an IP address`,
		`web.yaml:5:16: services[0].scheduler: "best" is not one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos`,
		"web.yaml:6:48: services[0].backends[0].weight: -2 is out of range 0..65535",
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", join(got), join(want))
	}
}
