package checks

import (
	"net"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// TestDialerMark checks that a target's mark lands on the socket as
// SO_MARK (setting it needs CAP_NET_ADMIN) and that no mark sets none.
func TestDialerMark(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("setting SO_MARK needs CAP_NET_ADMIN; run as root")
	}
	ln := listenTCP(t, func(net.Conn) {})
	for _, mark := range []uint32{0, 0x2a, 0xfffffffe} {
		target := targetOf(t, ln.Addr())
		target.Mark = mark
		conn, err := dialer(target).Dial("tcp", target.AddrPort().String())
		if err != nil {
			t.Fatalf("dial %s: %v", target, err)
		}
		raw, _ := conn.(*net.TCPConn).SyscallConn()
		var got int
		var gerr error
		raw.Control(func(fd uintptr) { got, gerr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_MARK) })
		conn.Close()
		if gerr != nil || uint32(got) != mark {
			t.Errorf("target %s: socket mark %#x (%v), want %#x", target, got, gerr, mark)
		}
	}
}
