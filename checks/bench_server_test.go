//go:build linux

package checks

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// benchServerEnv makes the test binary act as the benchmark's TCP server,
// so its CPU and memory are not counted against the checker.
const benchServerEnv = "SEESAW_CHECKS_BENCH_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(benchServerEnv) != "" {
		benchServe()
		return
	}
	os.Exit(m.Run())
}

// benchServe listens on 0.0.0.0 (so every 127.0.0.0/8 address reaches it):
// one port accepts and closes, the other accepts and never answers. It
// prints the two ports and serves until stdin closes.
func benchServe() {
	raiseNoFile()
	okPort, silentPort := 0, 0
	for i, handle := range []func(net.Conn){func(c net.Conn) { c.Close() }, func(c net.Conn) { go func() { io.Copy(io.Discard, c); c.Close() }() }} {
		port := 0
		for range 4 { // SO_REUSEPORT listeners spread accepts over threads
			ln, err := reusePortListen(port, i == 0)
			if err != nil {
				fmt.Println("error", err)
				os.Exit(1)
			}
			port = ln.Addr().(*net.TCPAddr).Port
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					handle(c)
				}
			}()
		}
		if i == 0 {
			okPort = port
		} else {
			silentPort = port
		}
	}
	fmt.Println("ports", okPort, silentPort)
	io.Copy(io.Discard, os.Stdin)
}

// reusePortListen listens on 0.0.0.0:port with SO_REUSEPORT and a deep
// backlog. deferAccept sets TCP_DEFER_ACCEPT, as servers such as nginx
// (`listen ... deferred`) do: the kernel hands a connection to the process
// only once data arrives, so a connect check, which completes the handshake
// and resets, costs the server process nothing (the kernel drops the
// pending connection on the reset). Only the plain-connect port uses it.
func reusePortListen(port int, deferAccept bool) (net.Listener, error) {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		c.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
			if serr == nil && deferAccept {
				serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT, 30)
			}
		})
		return serr
	}}
	return lc.Listen(context.Background(), "tcp4", fmt.Sprintf("0.0.0.0:%d", port))
}

// raiseNoFile lifts the soft open-files limit to the hard limit.
func raiseNoFile() {
	var r unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &r) == nil {
		r.Cur = r.Max
		unix.Setrlimit(unix.RLIMIT_NOFILE, &r)
	}
}
