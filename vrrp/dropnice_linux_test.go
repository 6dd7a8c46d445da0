package vrrp

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

// reexecWithoutSysNice runs this helper again, in the same process, under
// setpriv without CAP_SYS_NICE in its bounding set: as a daemon started
// without it (RLIMIT_RTPRIO stays at its default 0). Capabilities are per
// thread, so they are dropped before the Go runtime starts any.
func reexecWithoutSysNice() error {
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SEESAW_VRRP_DROP_NICE=") {
			env = append(env, kv)
		}
	}
	args := append([]string{"setpriv", "--bounding-set=-sys_nice", self}, os.Args[1:]...)
	return fmt.Errorf("exec %s: %w", setpriv, syscall.Exec(setpriv, args, env))
}
