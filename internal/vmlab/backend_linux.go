//go:build linux

package vmlab

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// StreamHello, sent as a connection's first line, makes the backend answer
// StreamReady and then echo every byte back until the client closes: a
// long-lived connection to follow through a failover.
const (
	StreamHello = "STREAM"
	StreamReady = "OK\n"
)

// Backend is the lab's HTTP backend. Every HTTP request gets "200 OK"
// with the backend's name as the body, on HTTP/1.0 with the connection
// closed after it; a connection that opens with StreamHello becomes an
// echo stream; a connection closed without a request (a TCP health check)
// is simply closed.
type Backend struct {
	Name string // the body of every answer, followed by a newline
	// Timeout bounds each connection until its request head (or the
	// stream hello) is read and answered; an echo stream has none after.
	Timeout time.Duration
}

// Serve answers the connections ln accepts, each on its own goroutine,
// until Accept fails; it returns that error.
func (b Backend) Serve(ln net.Listener) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			return fmt.Errorf("backend %s: accept on %s: %w", b.Name, ln.Addr(), err)
		}
		go b.handle(c)
	}
}

func (b Backend) handle(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(b.Timeout))
	r := bufio.NewReader(c)
	first, err := r.ReadString('\n')
	if err != nil {
		return
	}
	if strings.TrimSpace(first) == StreamHello {
		c.SetDeadline(time.Time{})
		if _, err := io.WriteString(c, StreamReady); err != nil {
			return
		}
		io.Copy(c, r)
		return
	}
	for line := first; strings.TrimSpace(line) != ""; { // the request head, to its blank line
		line, err = r.ReadString('\n')
		if err != nil {
			return
		}
	}
	body := b.Name + "\n"
	fmt.Fprintf(c, "HTTP/1.0 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
}

// BackendRole is the role of a lab backend: with env set to a name, the
// test binary serves Backend{Name: name, Timeout: timeout} on TCP port
// 80 of every address of its namespace. It exits 1, with the reason on
// standard error, only if it cannot listen or accept.
func BackendRole(env string, timeout time.Duration) Role {
	return Role{Env: env, Run: func(name string) int {
		ln, err := net.Listen("tcp", ":80")
		if err == nil {
			err = Backend{Name: name, Timeout: timeout}.Serve(ln)
		}
		fmt.Fprintln(os.Stderr, "backend:", err)
		return 1
	}}
}
