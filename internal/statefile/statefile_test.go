package statefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

func TestWriteReplacesAndLeavesNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	for _, content := range []string{"one\n", "two\n"} {
		if err := Write(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		b, err := Read(path, 1<<10)
		if err != nil || string(b) != content {
			t.Fatalf("Read = %q, %v; want %q", b, err, content)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want only the state file: %v", len(entries), entries)
	}
	if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestConcurrentWritesAllSucceed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() { errs[i] = Write(path, fmt.Appendf(nil, "writer %d\n", i), 0o600) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	if _, err := Read(path, 1<<10); err != nil {
		t.Fatal(err)
	}
}

func TestSymlinkRefused(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "state.json")
	if err := os.Symlink(victim, link); err != nil {
		t.Skipf("symlink: %v", err)
	}
	if err := Write(link, []byte("overwritten\n"), 0o600); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("Write through a symlink: %v, want ErrNotRegular", err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep\n" {
		t.Fatalf("the symlink's target was changed: %q", b)
	}
	if _, err := Read(link, 1<<10); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("Read of a symlink: %v, want ErrNotRegular", err)
	}
}

func TestReadRefusesSpecialAndLargeFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := Read(dir, 1<<10); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Read of a directory: %v, want ErrNotRegular", err)
	}
	if _, err := Read(filepath.Join(dir, "missing"), 1<<10); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Read of a missing file: %v, want fs.ErrNotExist", err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 2048), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(big, 1024); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Read of 2 KiB with a 1 KiB cap: %v, want ErrTooLarge", err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := mkfifo(fifo); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if _, err := Read(fifo, 1<<10); !errors.Is(err, ErrNotRegular) { // returns at once: no writer is waited for
		t.Errorf("Read of a FIFO: %v, want ErrNotRegular", err)
	}
	if err := Write(fifo, []byte("x"), 0o600); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Write over a FIFO: %v, want ErrNotRegular", err)
	}
}
