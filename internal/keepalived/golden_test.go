package keepalived

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/desired"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/*/want")

// corpus lists the test configurations: testdata/NAME/keepalived.conf.
func corpus(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob("testdata/*/keepalived.conf")
	if err != nil || len(dirs) < 6 {
		t.Fatalf("corpus: %v %v", dirs, err)
	}
	return dirs
}

// convertFile parses and converts one corpus file as node lb1.
func convertFile(t *testing.T, path string) *Result {
	t.Helper()
	cfg, err := Parse(path, Options{ConfigID: "lb1"})
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	res, err := Convert(cfg, ConvertOptions{Header: "converted from " + path})
	if err != nil {
		t.Fatalf("convert %s: %v", path, err)
	}
	return res
}

// notesText is the report as the CLI prints it, one note per line.
func notesText(notes []Note) string {
	var b strings.Builder
	for _, n := range notes {
		b.WriteString(n.String() + "\n")
	}
	return b.String()
}

// TestGolden converts every corpus file and compares node.yaml,
// services.yaml and the notes with testdata/NAME/want (go test -update
// rewrites them).
func TestGolden(t *testing.T) {
	for _, path := range corpus(t) {
		dir := filepath.Dir(path)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			res := convertFile(t, path)
			files := map[string]string{"node.yaml": string(res.NodeYAML), "services.yaml": string(res.ServicesYAML), "notes.txt": notesText(res.Notes)}
			for name, got := range files {
				golden := filepath.Join(dir, "want", name)
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", name, golden, got)
				}
			}
		})
	}
}

// TestGoldenValidates loads every converted directory with desired.Load,
// the code `seesaw-reconcile validate` runs.
func TestGoldenValidates(t *testing.T) {
	for _, path := range corpus(t) {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			res := convertFile(t, path)
			dir := t.TempDir()
			writeResult(t, dir, res)
			cfg, err := desired.Load(dir)
			if err != nil {
				t.Fatalf("converted %s does not validate:\n%v\nnode.yaml:\n%s\nservices.yaml:\n%s", path, err, res.NodeYAML, res.ServicesYAML)
			}
			if len(cfg.Services) != res.Services {
				t.Errorf("loaded %d services, converted %d", len(cfg.Services), res.Services)
			}
		})
	}
}

// writeResult writes a Result's files into dir.
func writeResult(t *testing.T, dir string, res *Result) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "node.yaml"), res.NodeYAML, 0o644); err != nil {
		t.Fatal(err)
	}
	if res.ServicesYAML != nil {
		if err := os.WriteFile(filepath.Join(dir, "services.yaml"), res.ServicesYAML, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
