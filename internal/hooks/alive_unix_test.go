//go:build unix

package hooks

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// alive reports whether process pid exists and is not a zombie (an
// orphaned child waits for init to reap it, which a container's init may
// never do).
func alive(pid int) bool {
	if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
		_, rest, _ := strings.Cut(string(b), ") ")
		return !strings.HasPrefix(rest, "Z")
	}
	return syscall.Kill(pid, 0) == nil
}
