package checks

import (
	"context"
	"fmt"
	"net"
)

// checker runs one kind of check, compiled from a Spec, against any target.
// check must return by ctx's deadline and release everything it opened.
type checker interface {
	check(ctx context.Context, t Target) error
	// close releases what the checker keeps between checks (idle connections).
	close()
}

// env holds what checkers share across specs: the ICMP sockets.
type env struct {
	pingers *pingers
}

// compile builds the checker for a normalized spec.
func compile(s Spec, e *env) (checker, error) {
	m, err := compileExpect(s.Expect)
	if err != nil {
		return nil, err
	}
	switch s.Type {
	case TypeICMP:
		return &icmpChecker{pingers: e.pingers}, nil
	case TypeTCP:
		return &tcpChecker{send: []byte(s.Send), expect: m}, nil
	case TypeTLS:
		return newTLSChecker(s, m)
	case TypeUDP:
		return &udpChecker{send: []byte(s.Send), expect: m}, nil
	case TypeHTTP, TypeHTTPS:
		return newHTTPChecker(s, m)
	case TypeDNS:
		return newDNSChecker(s.DNS)
	case TypeRADIUS:
		return newRADIUSChecker(s.RADIUS)
	}
	return nil, fmt.Errorf("%w: unknown type %q", ErrInvalidSpec, s.Type)
}

// converse sends on an established stream or datagram connection and
// matches the reply, all bounded by ctx's deadline.
func converse(ctx context.Context, conn net.Conn, t Target, send []byte, expect *matcher) error {
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	if len(send) > 0 {
		if _, err := conn.Write(send); err != nil {
			return fmt.Errorf("send to %s: %w", t, timeoutError(err))
		}
	}
	if expect.empty() {
		return nil
	}
	if err := expect.readMatch(conn, maxReply); err != nil {
		return fmt.Errorf("reply from %s: %w", t, err)
	}
	return nil
}

// abort closes a TCP connection with a reset, so checks leave no TIME_WAIT
// sockets behind on the load balancer.
func abort(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}
