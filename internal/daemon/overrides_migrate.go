package daemon

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// DefaultStateDir is the state directory unless configured otherwise: the
// directory systemd's StateDirectory=seesaw creates.
const DefaultStateDir = "/var/lib/seesaw"

// migrateOverrides moves the overrides file an older release kept in the
// config directory (legacyOverridesFile) to the state directory, once: only
// when the state directory has no overrides file yet. The old file is then
// removed; a config directory that is read-only keeps it, and it is ignored
// from then on (logged at each start). An old file that cannot be read is
// an error: the caller reports it and starts without manual drains.
func (w *wiring) migrateOverrides(configDir string) error {
	legacy := filepath.Join(configDir, legacyOverridesFile)
	if _, err := os.Lstat(legacy); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if _, err := os.Lstat(w.overFile.path); err == nil {
		w.log.Warn("ignoring the overrides file in the config directory: the state directory has one; remove the old file",
			"ignored", legacy, "used", w.overFile.path)
		return nil
	}
	o, err := readOverrides(legacy)
	if err != nil {
		return fmt.Errorf("migrate overrides from %s: %w", legacy, err)
	}
	if _, err := w.saveOverrides(o); err != nil {
		return fmt.Errorf("migrate overrides from %s: %w", legacy, err)
	}
	w.log.Info("moved the overrides file to the state directory", "from", legacy, "to", w.overFile.path, "drained", len(o.Drained))
	if err := os.Remove(legacy); err != nil {
		w.log.Warn("could not remove the old overrides file; it is ignored from now on", "path", legacy, "error", err.Error())
	}
	return nil
}
