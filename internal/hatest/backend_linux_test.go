package hatest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// streamHello starts a long-lived connection: the backend answers "OK\n"
// and then echoes every byte back.
const streamHello = "STREAM"

// serveBackend answers on :80: an HTTP request with "200 OK" and the
// backend's name, a stream hello with an echo until the client closes.
// Health checks that connect and close are fine. It never returns on success.
func serveBackend(name string) {
	ln, err := net.Listen("tcp", ":80")
	if err != nil {
		fmt.Fprintln(os.Stderr, "backend:", err)
		return
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "backend:", err)
			return
		}
		go handle(c, name)
	}
}

func handle(c net.Conn, name string) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	first, err := r.ReadString('\n')
	if err != nil {
		return
	}
	if strings.TrimSpace(first) == streamHello {
		c.SetDeadline(time.Time{})
		if _, err := io.WriteString(c, "OK\n"); err != nil {
			return
		}
		io.Copy(c, r)
		return
	}
	for { // the rest of the request head
		line, err := r.ReadString('\n')
		if err != nil || strings.TrimSpace(line) == "" {
			break
		}
	}
	body := name + "\n"
	fmt.Fprintf(c, "HTTP/1.0 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
}
