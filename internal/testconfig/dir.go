package testconfig

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir writes files (name -> content) into a new temporary directory of
// t, removed when the test ends, and returns it: a config directory to
// load.
func Dir(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
