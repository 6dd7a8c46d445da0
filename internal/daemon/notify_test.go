package daemon

import (
	"net"
	"path/filepath"
	"testing"
	"time"
)

// listenNotify is a stand-in for systemd's notification socket.
func listenNotify(t *testing.T) *net.UnixConn {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(t.TempDir(), "notify"), Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// expectReady fails t unless READY=1 arrives on c.
func expectReady(t *testing.T, c *net.UnixConn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(20 * time.Second)) // a hang guard
	buf := make([]byte, 256)
	n, err := c.Read(buf)
	if err != nil || string(buf[:n]) != "READY=1" {
		t.Fatalf("readiness notification: %q, %v", buf[:n], err)
	}
}

func TestSDNotify(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	if err := sdNotify("READY=1"); err != nil {
		t.Fatalf("without NOTIFY_SOCKET: %v", err)
	}
	c := listenNotify(t)
	t.Setenv("NOTIFY_SOCKET", c.LocalAddr().String())
	if err := sdNotify("READY=1"); err != nil {
		t.Fatal(err)
	}
	expectReady(t, c)
	t.Setenv("NOTIFY_SOCKET", filepath.Join(t.TempDir(), "absent"))
	if err := sdNotify("READY=1"); err == nil {
		t.Fatal("no error for a missing notification socket")
	}
}
