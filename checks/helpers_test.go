package checks

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/netip"
	"testing"
	"time"
)

// runCheck normalizes and compiles spec, then checks target once.
func runCheck(t *testing.T, spec Spec, target Target) error {
	t.Helper()
	if spec.Interval == 0 {
		spec.Interval = time.Second
	}
	if spec.Timeout == 0 {
		spec.Timeout = 2 * time.Second
	}
	s, err := spec.Normalize()
	if err != nil {
		t.Fatalf("normalize %+v: %v", spec, err)
	}
	e := &env{pingers: &pingers{}}
	defer e.pingers.close()
	c, err := compile(s, e)
	if err != nil {
		t.Fatalf("compile %+v: %v", spec, err)
	}
	defer c.close()
	ctx, cancel := context.WithTimeout(context.Background(), s.Timeout)
	defer cancel()
	return c.check(ctx, target)
}

// targetOf returns the Target of a listener or packet socket address.
func targetOf(t *testing.T, a net.Addr) Target {
	t.Helper()
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		t.Fatalf("parse %v: %v", a, err)
	}
	return Target{Address: ap.Addr().Unmap(), Port: ap.Port()}
}

// listenTCP listens on loopback and serves each connection with handle.
func listenTCP(t *testing.T, handle func(net.Conn)) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); handle(c) }()
		}
	}()
	return ln
}

// testPKI is a CA and functions to issue server certificates from it.
type testPKI struct {
	caPEM  string
	caCert *x509.Certificate
	caKey  *ecdsa.PrivateKey
}

func newPKI(t *testing.T) *testPKI {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "seesaw test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testPKI{caCert: cert, caKey: key,
		caPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
}

// issue returns a server certificate for name and the loopback addresses,
// valid from notBefore to notAfter.
func (p *testPKI) issue(t *testing.T, name string, notBefore, notAfter time.Time) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		DNSNames: []string{name}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.IPv6loopback},
		NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// valid issues a currently valid certificate for name.
func (p *testPKI) valid(t *testing.T, name string) tls.Certificate {
	return p.issue(t, name, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
}
