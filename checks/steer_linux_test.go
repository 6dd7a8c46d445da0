package checks

import (
	"context"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

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

// TestSourceBinding checks that a target's Source is the local address the
// server sees, on the net.Dialer path (tcp with send/expect, udp) and on the
// bare-socket fast path (plain tcp connect), and that no Source lets the
// kernel choose (127.0.0.1 to 127.0.0.1).
func TestSourceBinding(t *testing.T) {
	seen := make(chan netip.Addr, 16)
	ln := listenTCP(t, func(c net.Conn) {
		seen <- netip.MustParseAddrPort(c.RemoteAddr().String()).Addr()
		c.Write([]byte("hello\n"))
	})
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			seen <- netip.MustParseAddrPort(from.String()).Addr()
			pc.WriteTo(buf[:n], from)
		}
	}()
	for _, source := range []netip.Addr{{}, netip.MustParseAddr("127.0.0.2")} {
		want := source
		if !want.IsValid() {
			want = netip.MustParseAddr("127.0.0.1")
		}
		tcpTarget := targetOf(t, ln.Addr())
		tcpTarget.Source = source
		if err := connectOnly(context.Background(), tcpTarget); err != nil {
			t.Fatalf("connect %s: %v", tcpTarget, err)
		}
		conn, err := dialer(tcpTarget).Dial("tcp", tcpTarget.AddrPort().String())
		if err != nil {
			t.Fatalf("dial tcp %s: %v", tcpTarget, err)
		}
		conn.Close()
		udpTarget := targetOf(t, pc.LocalAddr())
		udpTarget.Source = source
		uc, err := dialer(udpTarget).Dial("udp", udpTarget.AddrPort().String())
		if err != nil {
			t.Fatalf("dial udp %s: %v", udpTarget, err)
		}
		uc.Write([]byte("ping"))
		uc.Close()
		for i, path := range []string{"tcp fast path", "tcp dialer", "udp dialer"} {
			select {
			case got := <-seen:
				if got != want {
					t.Errorf("source %v, check %d (%s): server saw %v, want %v", source, i, path, got, want)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("source %v: the server saw no %s check", source, path)
			}
		}
	}
}
