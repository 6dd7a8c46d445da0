package daemon

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
)

// errAnotherDaemon is the control socket's error when a live daemon answers
// on its path: two daemons must never manage one kernel, so this one stops.
var errAnotherDaemon = errors.New("another daemon is listening")

// listenControl listens on the unix socket at path, mode 0600, or 0660 and
// owned by the access group when one is set; a stale socket from a killed
// daemon is replaced, a live one is not.
//
// The socket is bound inside a fresh private directory (0700) beside path,
// given its final mode and group there, and then renamed to path: no client
// can reach it before its mode is right, and the process umask, which every
// goroutine shares, is never changed.
func listenControl(path string, access controlAccess) (net.Listener, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	if c, err := net.Dial("unix", path); err == nil {
		c.Close()
		return nil, fmt.Errorf("control socket %s: %w", path, errAnotherDaemon)
	}
	private, err := os.MkdirTemp(dir, ".control-")
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	defer os.RemoveAll(private)
	tmp := filepath.Join(private, "s")
	ln, err := net.Listen("unix", tmp)
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false) // its name moves to path
	if err := finishControl(tmp, path, access); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	return ln, nil
}

// finishControl sets the socket's mode and group and moves it to path.
func finishControl(tmp, path string, access controlAccess) error {
	mode := os.FileMode(0o600)
	if access.gid >= 0 {
		mode = 0o660
		if err := os.Chown(tmp, -1, access.gid); err != nil {
			return fmt.Errorf("give the socket to group %s: %w", access.group, err)
		}
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
