package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestValidateHostileInput: validate stays bounded on hostile directories:
// an error flood prints 200 problems, a count of the rest and the total,
// and a link to /dev/zero is refused at once.
func TestValidateHostileInput(t *testing.T) {
	flood := writeConfig(t, map[string]string{"node.yaml": "node: {name: lb1, interface: eth1}\n",
		"flood.yaml": "services:\n" + strings.Repeat("  - 1\n", 200_000)})
	zero := writeConfig(t, map[string]string{"node.yaml": "node: {name: lb1, interface: eth1}\n"})
	if err := os.Symlink("/dev/zero", filepath.Join(zero, "zero.yaml")); err != nil {
		t.Fatal(err)
	}
	// A hang, not a slow machine: the host takes about 4 s; the TCG VM
	// under a loaded host took 40 s.
	bound := 30 * time.Second
	if os.Getenv("SEESAW_VM") == "1" {
		bound = 3 * time.Minute
	}
	for _, tc := range []struct {
		name, dir string
		lines     int
		tail      string
	}{
		{"error flood", flood, 202, "... and 199,800 more errors\n" + flood + ": invalid: 200000 errors\n"},
		{"/dev/zero", zero, 2, "zero.yaml: read: not a regular file (character device)\n" + zero + ": invalid: 1 error\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			done := make(chan int, 1)
			go func() { done <- run([]string{"validate", "--config-dir", tc.dir}, &stdout, &stderr) }()
			select {
			case code := <-done:
				if code != exitFailure {
					t.Fatalf("exit code %d, want %d", code, exitFailure)
				}
			case <-time.After(bound):
				t.Fatalf("validate still running after %v", bound)
			}
			out := stderr.String()
			if n := strings.Count(out, "\n"); n != tc.lines || !strings.HasSuffix(out, tc.tail) {
				t.Errorf("stderr has %d lines (want %d), ends:\n%s\nwant the end:\n%s", n, tc.lines, out[max(0, len(out)-300):], tc.tail)
			}
		})
	}
}
