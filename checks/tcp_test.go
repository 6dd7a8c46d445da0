package checks

import (
	"bufio"
	"errors"
	"net"
	"strings"
	"testing"
)

func TestTCPConnect(t *testing.T) {
	ln := listenTCP(t, func(net.Conn) {})
	if err := runCheck(t, Spec{Type: TypeTCP}, targetOf(t, ln.Addr())); err != nil {
		t.Fatalf("connect to a listener: %v", err)
	}
	closed := targetOf(t, ln.Addr())
	ln.Close()
	err := runCheck(t, Spec{Type: TypeTCP}, closed)
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("connect to a closed port: got %v, want connection refused", err)
	}
}

func TestTCPConnectIPv6(t *testing.T) {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	if err := runCheck(t, Spec{Type: TypeTCP}, targetOf(t, ln.Addr())); err != nil {
		t.Fatalf("connect to [::1]: %v", err)
	}
}

func TestTCPSendExpect(t *testing.T) {
	ln := listenTCP(t, func(c net.Conn) {
		line, _ := bufio.NewReader(c).ReadString('\n')
		c.Write([]byte("+PONG " + strings.TrimSpace(line) + "\r\n"))
	})
	target := targetOf(t, ln.Addr())
	cases := []struct {
		name   string
		expect Expect
		ok     bool
	}{
		{"substring", Expect{Contains: "PONG ping"}, true},
		{"regex", Expect{Regexp: `^\+PONG \w+\r\n$`}, true},
		{"both", Expect{Contains: "PONG", Regexp: `ping`}, true},
		{"substring missing", Expect{Contains: "-ERR"}, false},
		{"regex mismatch", Expect{Regexp: `^-`}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := runCheck(t, Spec{Type: TypeTCP, Send: "ping\n", Expect: tc.expect}, target)
			if tc.ok && err != nil {
				t.Fatalf("got %v, want success", err)
			}
			if !tc.ok && !errors.Is(err, ErrMismatch) {
				t.Fatalf("got %v, want ErrMismatch", err)
			}
		})
	}
}
