//go:build linux

package daemon

import (
	"net"

	"golang.org/x/sys/unix"
)

// peerOf returns the credentials of the process at the other end of c, a
// unix socket connection (SO_PEERCRED: as of its connect).
func peerOf(c net.Conn) peer {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return peer{}
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return peer{}
	}
	var cred *unix.Ucred
	var gerr error
	if err := raw.Control(func(fd uintptr) {
		cred, gerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil || gerr != nil {
		return peer{}
	}
	return peer{known: true, pid: int(cred.Pid), uid: int(cred.Uid), gid: int(cred.Gid)}
}
