package checks

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// healthHandler serves the paths the HTTP tests probe.
func healthHandler(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/healthz":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method", http.StatusMethodNotAllowed)
			return
		}
		io.WriteString(w, "status: OK\nhost: "+r.Host+"\nx-check: "+r.Header.Get("X-Check")+"\n")
	case "/redirect":
		http.Redirect(w, r, "/healthz", http.StatusFound)
	case "/unavailable":
		http.Error(w, "draining", http.StatusServiceUnavailable)
	default:
		http.NotFound(w, r)
	}
}

func TestHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(healthHandler))
	defer srv.Close()
	target := targetOf(t, srv.Listener.Addr())
	cases := []struct {
		name string
		o    HTTPOptions
		body Expect
		want string
	}{
		{"default", HTTPOptions{Path: "/healthz"}, Expect{}, ""},
		{"body substring", HTTPOptions{Path: "/healthz"}, Expect{Contains: "status: OK"}, ""},
		{"body regex", HTTPOptions{Path: "/healthz"}, Expect{Regexp: `(?m)^status: OK$`}, ""},
		{"body missing", HTTPOptions{Path: "/healthz"}, Expect{Contains: "status: FAIL"}, "not found"},
		{"host header", HTTPOptions{Path: "/healthz", Host: "www.example.org"}, Expect{Contains: "host: www.example.org\n"}, ""},
		{"extra header", HTTPOptions{Path: "/healthz", Headers: []Header{{"X-Check", "seesaw"}}}, Expect{Contains: "x-check: seesaw"}, ""},
		{"method refused", HTTPOptions{Path: "/healthz", Method: "POST"}, Expect{}, "status 405"},
		{"head", HTTPOptions{Path: "/healthz", Method: "HEAD"}, Expect{}, ""},
		{"redirect not followed", HTTPOptions{Path: "/redirect"}, Expect{}, "status 302, want 200-299"},
		{"redirect accepted", HTTPOptions{Path: "/redirect", Statuses: []StatusRange{{200, 200}, {301, 308}}}, Expect{}, ""},
		{"503", HTTPOptions{Path: "/unavailable"}, Expect{}, "status 503"},
		{"503 expected", HTTPOptions{Path: "/unavailable", Statuses: []StatusRange{{503, 503}}}, Expect{}, ""},
		{"404", HTTPOptions{Path: "/missing"}, Expect{}, "status 404"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := runCheck(t, Spec{Type: TypeHTTP, HTTP: tc.o, Expect: tc.body}, target)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("got %v, want success", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want error containing %q", err, tc.want)
			}
			if tc.want != "" && !errors.Is(err, ErrMismatch) {
				t.Fatalf("got %v, want ErrMismatch", err)
			}
		})
	}
}

func TestHTTPS(t *testing.T) {
	pki := newPKI(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(healthHandler))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.valid(t, "www.example.org")}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // rejected handshakes are the point
	srv.StartTLS()
	defer srv.Close()
	target := targetOf(t, srv.Listener.Addr())
	ok := Spec{Type: TypeHTTPS, HTTP: HTTPOptions{Path: "/healthz", Host: "www.example.org"}, TLS: TLSOptions{CAPEM: pki.caPEM}}
	if err := runCheck(t, ok, target); err != nil {
		t.Fatalf("verified https with Host as SNI: %v", err)
	}
	bad := ok
	bad.HTTP.Host = "other.example.org"
	if err := runCheck(t, bad, target); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("https with a Host the certificate does not cover: got %v, want certificate error", err)
	}
	roots := ok
	roots.TLS.CAPEM = ""
	if err := runCheck(t, roots, target); err == nil || !strings.Contains(err.Error(), "unknown authority") {
		t.Fatalf("https against system roots: got %v, want unknown authority", err)
	}
}

func TestHTTPProxy(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(healthHandler))
	defer srv.Close()
	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		out := r.Clone(context.Background())
		out.RequestURI = ""
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	defer proxy.Close()
	spec := Spec{Type: TypeHTTP, HTTP: HTTPOptions{Path: "/healthz", Proxy: proxy.URL}, Expect: Expect{Contains: "status: OK"}}
	if err := runCheck(t, spec, targetOf(t, srv.Listener.Addr())); err != nil {
		t.Fatalf("check through proxy: %v", err)
	}
	if proxied.Load() != 1 {
		t.Fatalf("proxy saw %d requests, want 1", proxied.Load())
	}
}

func TestHTTPConnectionReuse(t *testing.T) {
	for _, reuse := range []bool{false, true} {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(healthHandler))
		var conns atomic.Int32
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Add(1)
			}
		}
		srv.Start()
		s, _ := Spec{Type: TypeHTTP, Interval: time.Second, Timeout: time.Second,
			HTTP: HTTPOptions{Path: "/healthz", ReuseConnections: reuse}}.Normalize()
		c, err := compile(s, &env{})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			if err := c.check(ctx, targetOf(t, srv.Listener.Addr())); err != nil {
				t.Fatal(err)
			}
			cancel()
		}
		c.close()
		srv.Close()
		want := int32(3)
		if reuse {
			want = 1
		}
		if conns.Load() != want {
			t.Errorf("reuse=%v: 3 checks opened %d connections, want %d", reuse, conns.Load(), want)
		}
	}
}
