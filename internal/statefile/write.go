package statefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrNotRegular is the error for a state file that is a symlink, a
// directory, a FIFO or a device.
var ErrNotRegular = errors.New("not a regular file")

// Write replaces the file at path with data, durably: a unique temporary
// file beside it is written and synced, renamed over path, and the
// directory is synced. A path that exists and is not a regular file (a
// symlink among them) is refused, so a write never goes through a link.
func Write(path string, data []byte, perm fs.FileMode) error {
	if err := checkTarget(path); err != nil {
		return err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*") // O_CREATE|O_EXCL: never an existing file
	if err != nil {
		return fmt.Errorf("write %s: create temporary file: %w", path, err)
	}
	tmp := f.Name()
	if err := fill(f, data, perm); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("write %s: sync directory %s: %w", path, dir, err)
	}
	return nil
}

// checkTarget refuses an existing path that is not a regular file.
func checkTarget(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("write %s: %w (%s)", path, ErrNotRegular, fi.Mode().Type())
	}
	return nil
}

// fill writes data to f, sets its mode, syncs and closes it.
func fill(f *os.File, data []byte, perm fs.FileMode) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
