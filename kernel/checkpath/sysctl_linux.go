package checkpath

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ProcSysctls is Sysctls over /proc/sys of the current network namespace.
type ProcSysctls struct{}

// Get implements Sysctls.
func (ProcSysctls) Get(name string) (string, error) {
	b, err := os.ReadFile(filepath.Join("/proc/sys", name))
	if err != nil {
		return "", fmt.Errorf("read sysctl %s: %w", name, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// Set implements Sysctls.
func (ProcSysctls) Set(name, value string) error {
	if err := os.WriteFile(filepath.Join("/proc/sys", name), []byte(value+"\n"), 0o644); err != nil {
		return fmt.Errorf("write sysctl %s=%s: %w", name, value, err)
	}
	return nil
}
