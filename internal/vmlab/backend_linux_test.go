package vmlab

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/netnsexec"
	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// serveLoopback serves b on a loopback port of the current namespace until
// the test ends; it returns the listener and Serve's result channel.
func serveLoopback(t *testing.T, b Backend) (net.Listener, <-chan error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Serve(ln) }()
	t.Cleanup(func() { ln.Close() })
	return ln, done
}

// get makes the suites' HTTP request on a connection from dial and
// returns the answer.
func get(t *testing.T, dial func() (net.Conn, error)) string {
	t.Helper()
	c, err := dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "GET / HTTP/1.0\r\nHost: vmlab\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const be1Answer = "HTTP/1.0 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbe1\n"

// TestBackendHTTPAndStream: the backend answers an HTTP request with its
// name, survives a connection closed without a request (a health check),
// echoes a stream after the hello, and Serve returns when its listener
// closes.
func TestBackendHTTPAndStream(t *testing.T) {
	ln, done := serveLoopback(t, Backend{Name: "be1", Timeout: 5 * time.Second})
	addr := ln.Addr().String()
	dial := func() (net.Conn, error) { return net.DialTimeout("tcp", addr, 2*time.Second) }

	if got := get(t, dial); got != be1Answer {
		t.Errorf("answer %q, want %q", got, be1Answer)
	}
	if c, err := dial(); err == nil { // a TCP health check
		c.Close()
	}
	if got := get(t, dial); got != be1Answer {
		t.Errorf("answer after a health check %q", got)
	}

	c, err := dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	io.WriteString(c, StreamHello+"\n")
	if line, err := r.ReadString('\n'); err != nil || line != StreamReady {
		t.Fatalf("stream hello answered %q, %v", line, err)
	}
	for _, chunk := range []string{"one\n", strings.Repeat("x", 511) + "\n"} {
		io.WriteString(c, chunk)
		got := make([]byte, len(chunk))
		if _, err := io.ReadFull(r, got); err != nil || string(got) != chunk {
			t.Fatalf("echo of %q: %q, %v", chunk, got, err)
		}
	}

	ln.Close()
	select {
	case err := <-done:
		if err == nil || !errors.Is(err, net.ErrClosed) || !strings.Contains(err.Error(), "backend be1") {
			t.Errorf("Serve returned %v, want the closed listener's error naming the backend", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its listener closed")
	}
}

// TestBackendTimeout: a connection that sends no request head is closed
// after Timeout, while the stream it already echoes is not.
func TestBackendTimeout(t *testing.T) {
	ln, _ := serveLoopback(t, Backend{Name: "be2", Timeout: 200 * time.Millisecond})
	addr := ln.Addr().String()
	stream, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	r := bufio.NewReader(stream)
	io.WriteString(stream, StreamHello+"\n")
	if line, err := r.ReadString('\n'); err != nil || line != StreamReady {
		t.Fatalf("stream hello answered %q, %v", line, err)
	}
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	idle.SetDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	if n, err := idle.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("idle connection read %d, %v; want EOF when the backend closes it", n, err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("idle connection closed after %v, Timeout 200ms", d)
	}
	time.Sleep(300 * time.Millisecond) // past the Timeout
	stream.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(stream, "still\n")
	if line, err := r.ReadString('\n'); err != nil || line != "still\n" {
		t.Errorf("stream after the Timeout: %q, %v", line, err)
	}
}

// TestBackendRoleInNamespace: BackendRole serves on port 80 of the
// namespace the test binary is started in.
func TestBackendRoleInNamespace(t *testing.T) {
	testenv.RequireNetNS(t)
	ns, _, _ := testNames()
	Namespace(t, ns)
	p := StartRole(t, ns, testBackendEnv, "be1")
	dial := func() (c net.Conn, err error) {
		err = netnsexec.Do(ns, func() error {
			c, err = net.DialTimeout("tcp", "127.0.0.1:80", 2*time.Second)
			return err
		})
		return c, err
	}
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		c, err := dial()
		if err == nil {
			c.Close()
			break
		}
		if !p.Running() || time.Now().After(end) {
			t.Fatalf("no backend on %s's port 80: %v; its output: %s", ns, err, p.Output())
		}
	}
	if got := get(t, dial); got != be1Answer {
		t.Errorf("answer %q, want %q", got, be1Answer)
	}
}
