package desired

import (
	"errors"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/internal/testconfig"
)

// nodeYAML is a minimal valid node file.
const nodeYAML = `node:
  name: lb1
  interface: eth1
`

// writeDir writes files (name -> content) into a new temporary directory.
func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	return testconfig.Dir(t, files)
}

// loadErrors loads dir and returns the error lines; it fails the test when
// the load succeeds or fails with something other than Errors.
func loadErrors(t *testing.T, dir string) []string {
	t.Helper()
	_, err := Load(dir)
	if err == nil {
		t.Fatal("Load succeeded, want errors")
	}
	var es Errors
	if !errors.As(err, &es) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("Load error %v (%T) is not an Errors", err, err)
	}
	return strings.Split(err.Error(), "\n")
}

// mustLoad loads dir and fails the test on error.
func mustLoad(t *testing.T, dir string) Config {
	t.Helper()
	cfg, err := Load(dir)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return cfg
}

// replaceDir replaces the temporary directory in an error line with DIR.
func replaceDir(s, dir string) string { return strings.ReplaceAll(s, dir, "DIR") }

// join renders lines for a failure message.
func join(lines []string) string { return "  " + strings.Join(lines, "\n  ") }
