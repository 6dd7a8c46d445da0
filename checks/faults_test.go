package checks

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"layeh.com/radius"
)

// faultTimeout is the check timeout in fault tests; hardBound is how long a
// check may take at most before the hard timeout is considered broken.
const (
	faultTimeout = 300 * time.Millisecond
	hardBound    = faultTimeout + 2*time.Second
)

// silent accepts and never answers (until the test ends).
func silent(c net.Conn) { io.Copy(io.Discard, c) }

// garbage answers anything with bytes no protocol expects.
func garbage(c net.Conn) {
	if _, err := c.Read(make([]byte, 4096)); err != nil {
		return
	}
	c.Write([]byte("\x00\xffGARBAGE\x16\x03\x01\x00\x00\r\n\r\n"))
	io.Copy(io.Discard, c)
}

// reset aborts every connection with a TCP RST.
func reset(c net.Conn) {
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
}

// endless waits for the request, then sends an unbounded stream of bytes
// (after an HTTP header when asked).
func endless(header string) func(net.Conn) {
	return func(c net.Conn) {
		if _, err := c.Read(make([]byte, 4096)); err != nil {
			return
		}
		go io.Copy(io.Discard, c)
		c.Write([]byte(header))
		chunk := []byte(strings.Repeat("x", 32<<10))
		for range 1 << 12 { // at most 128 MiB, bounded
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	}
}

type fault struct {
	name   string
	serve  func(net.Conn)
	spec   Spec
	want   error  // sentinel, or nil for "any error"
	reason string // substring of the error text
}

func streamFaults() []fault {
	tcpExpect := Spec{Type: TypeTCP, Send: "ping\n", Expect: Expect{Contains: "PONG"}}
	httpSpec := Spec{Type: TypeHTTP, HTTP: HTTPOptions{Path: "/healthz"}}
	httpBody := Spec{Type: TypeHTTP, HTTP: HTTPOptions{Path: "/healthz"}, Expect: Expect{Contains: "OK"}}
	tlsSpec := Spec{Type: TypeTLS, TLS: TLSOptions{SkipVerify: true}}
	return []fault{
		{"tcp silent", silent, tcpExpect, ErrTimeout, "i/o timeout"},
		{"tcp garbage", garbage, tcpExpect, ErrTimeout, `"PONG" not found`},
		{"tcp reset", reset, tcpExpect, nil, "connection reset"},
		{"tcp endless", endless(""), tcpExpect, ErrMismatch, "not found in the first 65536 bytes"},
		{"tls silent", silent, tlsSpec, ErrTimeout, "tls handshake"},
		{"tls garbage", garbage, tlsSpec, nil, "tls handshake"},
		{"tls reset", reset, tlsSpec, nil, "connection reset"},
		{"http silent", silent, httpSpec, ErrTimeout, "GET http://"},
		{"http garbage", garbage, httpSpec, nil, "malformed HTTP"},
		{"http reset", reset, httpSpec, nil, "connection reset"},
		{"http huge body", endless("HTTP/1.1 200 OK\r\n\r\n"), httpBody, ErrMismatch, "not found in the first 65536 bytes"},
		{"http huge header", endless("HTTP/1.1 200 OK\r\nX-Junk: "), httpSpec, nil, "header"},
	}
}

// assertFault checks that err is a failure of the expected kind, returned
// before the hard bound.
func assertFault(t *testing.T, f fault, err error, took time.Duration) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: check passed, want failure", f.name)
	}
	if f.want != nil && !errors.Is(err, f.want) {
		t.Errorf("%s: got %v, want %v", f.name, err, f.want)
	}
	if !strings.Contains(err.Error(), f.reason) {
		t.Errorf("%s: got %q, want reason containing %q", f.name, err, f.reason)
	}
	if took > hardBound {
		t.Errorf("%s: took %v, over the hard bound %v", f.name, took, hardBound)
	}
}

func TestStreamFaults(t *testing.T) {
	for _, f := range streamFaults() {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			ln := listenTCP(t, f.serve)
			f.spec.Timeout = faultTimeout
			start := time.Now()
			err := runCheck(t, f.spec, targetOf(t, ln.Addr()))
			assertFault(t, f, err, time.Since(start))
		})
	}
}

func TestTLSCertificateFaults(t *testing.T) {
	pki := newPKI(t)
	expired := pki.issue(t, "backend.example.org", time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
	for _, f := range []struct {
		name   string
		cert   tls.Certificate
		reason string
	}{
		{"expired", expired, "expired"},
		{"other name", pki.valid(t, "other.example.org"), "not backend.example.org"},
	} {
		t.Run(f.name, func(t *testing.T) {
			target := listenTLS(t, f.cert)
			spec := Spec{Type: TypeTLS, Timeout: faultTimeout, TLS: TLSOptions{ServerName: "backend.example.org", CAPEM: pki.caPEM}}
			start := time.Now()
			err := runCheck(t, spec, target)
			assertFault(t, fault{name: f.name, reason: f.reason}, err, time.Since(start))
			https := Spec{Type: TypeHTTPS, Timeout: faultTimeout, HTTP: HTTPOptions{Host: "backend.example.org"}, TLS: TLSOptions{CAPEM: pki.caPEM}}
			err = runCheck(t, https, target)
			assertFault(t, fault{name: f.name + " https", reason: f.reason}, err, time.Since(start))
		})
	}
}

func TestUDPFaults(t *testing.T) {
	silentUDP := listenUDP(t, "udp4", "127.0.0.1:0", func([]byte) []byte { return nil })
	junk := listenUDP(t, "udp4", "127.0.0.1:0", func([]byte) []byte { return []byte("\x00\x01junk") })
	wrongID := listenUDP(t, "udp4", "127.0.0.1:0", func(b []byte) []byte {
		q := new(dns.Msg)
		if q.Unpack(b) != nil {
			return nil
		}
		r := new(dns.Msg)
		r.SetReply(q)
		r.Id = q.Id + 1
		out, _ := r.Pack()
		return out
	})
	otherSecret := serveRADIUSSecret(t, "not-the-secret")
	dnsSpec := Spec{Type: TypeDNS, DNS: DNSOptions{Name: "www.example.org"}}
	radSpec := Spec{Type: TypeRADIUS, RADIUS: RADIUSOptions{User: "alice", Password: "wonderland", Secret: testSecret}}
	for _, f := range []struct {
		fault
		target Target
	}{
		{fault{"udp silent", nil, Spec{Type: TypeUDP, Send: "ping"}, ErrTimeout, "wait for reply"}, silentUDP},
		{fault{"dns silent", nil, dnsSpec, ErrTimeout, "timeout"}, silentUDP},
		{fault{"dns garbage", nil, dnsSpec, nil, "dns A www.example.org."}, junk},
		{fault{"dns other id", nil, dnsSpec, ErrTimeout, "ignored 1 replies with id"}, wrongID},
		{fault{"radius silent", nil, radSpec, ErrTimeout, "radius Access-Request"}, silentUDP},
		{fault{"radius garbage", nil, radSpec, nil, "radius Access-Request"}, junk},
		{fault{"radius bad authenticator", nil, radSpec, ErrMismatch, "bad response authenticator"}, otherSecret},
	} {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			f.spec.Timeout = faultTimeout
			start := time.Now()
			err := runCheck(t, f.spec, f.target)
			assertFault(t, f.fault, err, time.Since(start))
		})
	}
}

// serveRADIUSSecret runs a RADIUS server that accepts everything but signs
// its replies with secret.
func serveRADIUSSecret(t *testing.T, secret string) Target {
	return listenUDP(t, "udp4", "127.0.0.1:0", func(b []byte) []byte {
		// Parse with the server's own secret: the request authenticator of
		// an Access-Request is random, so parsing does not verify it.
		req, err := radius.Parse(b, []byte(secret))
		if err != nil {
			return nil
		}
		out, _ := req.Response(radius.CodeAccessAccept).Encode()
		return out
	})
}
