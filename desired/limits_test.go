package desired

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// smallFloor stands in for DefaultLimits so the tests need no 16 MiB files:
// node.limits values (at least the defaults) always raise it.
var smallFloor = Limits{FileBytes: 1024, DirBytes: 4096}

// nodeWithLimits is nodeYAML with a `limits:` section.
func nodeWithLimits(limits string) string {
	return nodeYAML + "  limits: " + limits + "\n"
}

// padded is a valid services file of at least n bytes.
func padded(n int) string {
	return "services: []\n# " + strings.Repeat("x", n) + "\n"
}

// loadSmall runs load within smallFloor and checks how many passes it took.
func loadSmall(t *testing.T, dir string, wantPasses int) error {
	t.Helper()
	_, passes, err := load(dir, smallFloor)
	if passes != wantPasses {
		t.Errorf("load read the directory %d times, want %d (err: %v)", passes, wantPasses, err)
	}
	return err
}

// TestNodeLimitsRaiseFileLimit: a file over the loader's limit loads when
// node.limits allows it, with one extra pass, and is refused otherwise.
func TestNodeLimitsRaiseFileLimit(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeWithLimits("{file_size: 16MiB}"), "big.yaml": padded(2000)})
	if err := loadSmall(t, dir, 2); err != nil {
		t.Fatalf("with node.limits: %v", err)
	}
	dir = writeDir(t, map[string]string{"node.yaml": nodeYAML, "big.yaml": padded(2000)})
	wantLoadError(t, loadSmall(t, dir, 1), "big.yaml: read: file too large: 2016 bytes, over the limit of 1024 bytes")
}

// TestNodeLimitsDefaultFloor: with the real defaults, a sparse file over
// 16 MiB is refused, and read (its content is then the problem) under a
// node.limits.file_size of 32MiB.
func TestNodeLimitsDefaultFloor(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML})
	sparse(t, filepath.Join(dir, "big.yaml"), DefaultLimits.FileBytes+1)
	wantLoadError(t, loadWithin(t, dir), "big.yaml: read: file too large: 16777217 bytes, over the limit of 16 MiB")
	writeDirFile(t, dir, "node.yaml", nodeWithLimits("{file_size: 32MiB}"))
	err := loadWithin(t, dir)
	if err == nil || strings.Contains(err.Error(), "too large") || !strings.Contains(err.Error(), "big.yaml:") {
		t.Fatalf("Load with file_size 32MiB: %v, want an error of big.yaml's content", err)
	}
}

// TestNodeLimitsAtMostOnce: a file over the raised limit too is refused
// after the one extra pass; there is no third.
func TestNodeLimitsAtMostOnce(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeWithLimits("{file_size: 16MiB}"), "small.yaml": padded(2000)})
	sparse(t, filepath.Join(dir, "big.yaml"), DefaultLimits.FileBytes+1)
	wantLoadError(t, loadSmall(t, dir, 2), "big.yaml: read: file too large: 16777217 bytes, over the limit of 16 MiB")
}

// TestNodeLimitsNodeFileMustFit: the file defining node is read within the
// loader's limits; over them its node.limits is not seen.
func TestNodeLimitsNodeFileMustFit(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeWithLimits("{file_size: 16MiB}") + "# " + strings.Repeat("x", 2000) + "\n"})
	wantLoadError(t, loadSmall(t, dir, 1), "node.yaml: read: file too large")
}

// TestNodeLimitsRaiseDirLimit: files together over the loader's directory
// limit load when node.limits.dir_size allows it, even when the node file
// is the one dropped over the limit (read last, by a Loader).
func TestNodeLimitsRaiseDirLimit(t *testing.T) {
	files := map[string]string{"a.yaml": padded(1000), "b.yaml": padded(1000), "c.yaml": padded(1000),
		"d.yaml": padded(1000), "z-node.yaml": nodeWithLimits("{dir_size: 256MiB}")}
	dir := writeDir(t, files)
	if err := loadSmall(t, dir, 2); err != nil {
		t.Fatalf("with node.limits: %v", err)
	}
	l := Loader{Dir: dir, Limits: smallFloor}
	if _, _, err := l.Load(); err != nil || l.passes != 2 {
		t.Fatalf("Loader with node.limits: passes %d, %v", l.passes, err)
	}
	writeDirFile(t, dir, "z-node.yaml", nodeYAML)
	want := "read configuration directory " + dir + ": the configuration files total over the limit of 4096 bytes"
	wantLoadError(t, loadSmall(t, dir, 1), want)
	_, _, err := l.Load()
	wantLoadError(t, err, want)
}

// TestNodeLimitsRaiseSecretLimit: a secret file over the loader's limit is
// read within node.limits.file_size, and so is a CA file read through the
// loaded node's Limits.
func TestNodeLimitsRaiseSecretLimit(t *testing.T) {
	secret := strings.Repeat("s", 2000)
	dir := writeDir(t, map[string]string{"node.yaml": nodeWithLimits("{file_size: 16MiB}"), "web.yaml": hostileWeb,
		"pw": "pw\n", "secret": secret})
	cfg, passes, err := load(dir, smallFloor)
	if err != nil || passes != 2 {
		t.Fatalf("with node.limits: passes %d, %v", passes, err)
	}
	if data, err := cfg.Node.Limits.ReadFile(filepath.Join(dir, "secret")); err != nil || string(data) != secret {
		t.Errorf("Node.Limits.ReadFile: %d bytes, %v", len(data), err)
	}
	writeDirFile(t, dir, "node.yaml", nodeYAML)
	wantLoadError(t, loadSmall(t, dir, 1), "read secret file "+filepath.Join(dir, "secret")+": file too large: 2000 bytes, over the limit of 1024 bytes")
}

// TestLoaderKeepsNodeLimits: a Loader reads within the limits it learned,
// so a steady reload takes one pass; a config that lowers them takes effect
// on the load that reads it, and the result is always Load's.
func TestLoaderKeepsNodeLimits(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": nodeWithLimits("{file_size: 16MiB}"), "big.yaml": padded(2000)})
	l := Loader{Dir: dir, Limits: smallFloor}
	for i, want := range []int{2, 1, 1} {
		if _, _, err := l.Load(); err != nil || l.passes != want {
			t.Fatalf("load %d: passes %d (want %d), %v", i, l.passes, want, err)
		}
	}
	sameAsLoad(t, &l)
	l.Forget()
	if _, _, err := l.Load(); err != nil || l.passes != 1 {
		t.Fatalf("after Forget: passes %d (want 1), %v", l.passes, err)
	}
	writeDirFile(t, dir, "node.yaml", nodeYAML)
	_, _, err := l.Load()
	wantLoadError(t, err, "big.yaml: read: file too large: 2016 bytes, over the limit of 1024 bytes")
	if l.passes != 2 {
		t.Errorf("lowering load: passes %d, want 2", l.passes)
	}
	_, _, err = l.Load()
	wantLoadError(t, err, "big.yaml: read: file too large")
	if l.passes != 1 {
		t.Errorf("load after lowering: passes %d, want 1", l.passes)
	}
	sameAsLoad(t, &l)
}

// sameAsLoad fails the test unless l.Load gives what load gives within
// l.Limits.
func sameAsLoad(t *testing.T, l *Loader) {
	t.Helper()
	got, _, gotErr := l.Load()
	want, _, wantErr := load(l.Dir, l.Limits)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
		t.Errorf("Loader: %v, %v\nLoad: %v, %v", got, gotErr, want, wantErr)
	}
}

// TestNodeLimitsInvalid: bad limit values are errors at their position.
func TestNodeLimitsInvalid(t *testing.T) {
	for _, c := range []struct{ limits, want string }{
		{"{file_size: 64}", "node.yaml:4:23: node.limits.file_size: size 64 has no unit; write e.g. 64MiB"},
		{"{file_size: 64 MiB}", `node.yaml:4:23: node.limits.file_size: "64 MiB" is not a size (like 512KiB, 64MiB, 1GiB)`},
		{"{file_size: 64mb}", `node.yaml:4:23: node.limits.file_size: "64mb" is not a size`},
		{"{file_size: 1.5GiB}", `node.yaml:4:23: node.limits.file_size: "1.5GiB" is not a size`},
		{"{file_size: -1GiB}", `node.yaml:4:23: node.limits.file_size: "-1GiB" is not a size`},
		{"{file_size: 064MiB}", `node.yaml:4:23: node.limits.file_size: "064MiB" is not a size`},
		{"{file_size: 99999999999999999999TiB}", `node.yaml:4:23: node.limits.file_size: "99999999999999999999TiB" is not a size`},
		{"{file_size: 8MiB}", "node.yaml:4:23: node.limits.file_size: 8MiB is out of range 16 MiB..4 GiB"},
		{"{file_size: 5GiB}", "node.yaml:4:23: node.limits.file_size: 5GiB is out of range 16 MiB..4 GiB"},
		{"{dir_size: 128MiB}", "node.yaml:4:22: node.limits.dir_size: 128MiB is out of range 256 MiB..64 GiB"},
		{"{dir_size: 1TiB}", "node.yaml:4:22: node.limits.dir_size: 1TiB is out of range 256 MiB..64 GiB"},
		{"{file_size: 1GiB}", "node.yaml:4:23: node.limits.file_size: 1 GiB is larger than the directory limit 256 MiB (raise dir_size too)"},
		{"{dir_size: 512MiB, file_size: 1GiB}", "node.yaml:4:41: node.limits.file_size: 1 GiB is larger than the directory limit 512 MiB"},
		{"{file_size: [1]}", "node.yaml:4:23: node.limits.file_size: want a size, got a list"},
		{"{files: 1GiB}", "node.yaml:4:12: node.limits.files:"},
		{"64MiB", "node.yaml:4:11: node.limits:"},
	} {
		dir := writeDir(t, map[string]string{"node.yaml": nodeWithLimits(c.limits)})
		if lines := loadErrors(t, dir); !strings.Contains(strings.Join(lines, "\n"), c.want) {
			t.Errorf("limits: %s:\n%s\nwant a line with %q", c.limits, join(lines), c.want)
		}
	}
	cfg := mustLoad(t, writeDir(t, map[string]string{"node.yaml": nodeWithLimits("{file_size: 512MiB, dir_size: 2GiB}")}))
	if want := (Limits{FileBytes: 512 << 20, DirBytes: 2 << 30}); cfg.Node.Limits != want {
		t.Errorf("Node.Limits = %+v, want %+v", cfg.Node.Limits, want)
	}
}

// sparse creates a file of size bytes without writing them.
func sparse(t *testing.T, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
}

// writeDirFile replaces one file of dir.
func writeDirFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
