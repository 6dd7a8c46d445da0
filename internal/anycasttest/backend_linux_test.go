package anycasttest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// serveBackend answers every HTTP request on :80 with "200 OK" and the
// backend's name. Health checks that connect and close are fine. It never
// returns on success.
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
		go answer(c, name)
	}
}

func answer(c net.Conn, name string) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	for { // the request head
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if strings.TrimSpace(line) == "" {
			break
		}
	}
	body := name + "\n"
	fmt.Fprintf(c, "HTTP/1.0 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
}
