//go:build unix

package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestValidateFIFO: a named pipe called x.yaml with no writer is an error
// at once; it does not hang validate (which a unit's ExecStartPre runs).
func TestValidateFIFO(t *testing.T) {
	dir := writeConfig(t, map[string]string{"node.yaml": "node: {name: lb1, interface: eth1}\n"})
	if err := syscall.Mkfifo(filepath.Join(dir, "x.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run([]string{"validate", "--config-dir", dir}, &stdout, &stderr) }()
	select {
	case code := <-done:
		if code != exitFailure || !strings.Contains(stderr.String(), "x.yaml: read: not a regular file (named pipe)\n") {
			t.Fatalf("exit code %d, stderr:\n%s", code, &stderr)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("validate still running after 5s")
	}
}
