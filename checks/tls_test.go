package checks

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
)

// listenTLS serves TLS with cert on loopback; each session answers one line.
func listenTLS(t *testing.T, cert tls.Certificate) Target {
	t.Helper()
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	ln := listenTCP(t, func(c net.Conn) {
		s := tls.Server(c, cfg)
		line, err := bufio.NewReader(s).ReadString('\n')
		if err == nil {
			s.Write([]byte("hello " + line))
		}
		s.Close()
	})
	return targetOf(t, ln.Addr())
}

func TestTLS(t *testing.T) {
	pki := newPKI(t)
	target := listenTLS(t, pki.valid(t, "backend.example.org"))
	cases := []struct {
		name string
		spec Spec
		want string // empty: success
	}{
		{"verified sni", Spec{TLS: TLSOptions{ServerName: "backend.example.org", CAPEM: pki.caPEM}}, ""},
		{"verified ip", Spec{TLS: TLSOptions{CAPEM: pki.caPEM}}, ""},
		{"send expect", Spec{Send: "seesaw\n", Expect: Expect{Contains: "hello seesaw"}, TLS: TLSOptions{CAPEM: pki.caPEM}}, ""},
		{"expect mismatch", Spec{Send: "seesaw\n", Expect: Expect{Regexp: "^bye"}, TLS: TLSOptions{CAPEM: pki.caPEM}}, "not found"},
		{"system roots reject", Spec{}, "certificate signed by unknown authority"},
		{"wrong name", Spec{TLS: TLSOptions{ServerName: "other.example.org", CAPEM: pki.caPEM}}, "not other.example.org"},
		{"skip verify", Spec{TLS: TLSOptions{ServerName: "other.example.org", SkipVerify: true}}, ""},
		{"min version 1.3 ok", Spec{TLS: TLSOptions{CAPEM: pki.caPEM, MinVersion: tls.VersionTLS13}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec.Type = TypeTLS
			err := runCheck(t, tc.spec, target)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("got %v, want success", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want error containing %q", err, tc.want)
			}
		})
	}
}

func TestTLSMinVersionRefused(t *testing.T) {
	pki := newPKI(t)
	cfg := &tls.Config{Certificates: []tls.Certificate{pki.valid(t, "backend.example.org")}, MaxVersion: tls.VersionTLS12}
	ln := listenTCP(t, func(c net.Conn) { tls.Server(c, cfg).Handshake() })
	err := runCheck(t, Spec{Type: TypeTLS, TLS: TLSOptions{CAPEM: pki.caPEM, MinVersion: tls.VersionTLS13}}, targetOf(t, ln.Addr()))
	if err == nil || !strings.Contains(err.Error(), "tls handshake") {
		t.Fatalf("TLS 1.2-only server with min 1.3: got %v, want handshake failure", err)
	}
}

func TestTLSBadCA(t *testing.T) {
	_, err := compile(Spec{Type: TypeTLS, TLS: TLSOptions{CAPEM: "not pem"}}, &env{})
	if !errors.Is(err, ErrInvalidSpec) {
		t.Fatalf("got %v, want ErrInvalidSpec", err)
	}
}
