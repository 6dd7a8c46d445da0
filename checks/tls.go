package checks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
)

// tlsChecker completes a verified TLS handshake, then optionally sends and
// matches the reply inside the session.
type tlsChecker struct {
	config *tls.Config
	send   []byte
	expect *matcher
}

func newTLSChecker(s Spec, m *matcher) (*tlsChecker, error) {
	cfg, err := tlsConfig(s.TLS)
	if err != nil {
		return nil, err
	}
	return &tlsChecker{config: cfg, send: []byte(s.Send), expect: m}, nil
}

// tlsConfig builds the client config: verification on unless skipped,
// against the given CA or the system roots.
func tlsConfig(o TLSOptions) (*tls.Config, error) {
	cfg := &tls.Config{
		ServerName:         o.ServerName,
		InsecureSkipVerify: o.SkipVerify,
		MinVersion:         o.MinVersion,
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	if o.CAPEM != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(o.CAPEM)) {
			return nil, fmt.Errorf("%w: tls ca: no PEM certificate found", ErrInvalidSpec)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// forTarget returns cfg with ServerName defaulted to the target address, so
// a certificate is at least verified against the IP it was fetched from.
func forTarget(cfg *tls.Config, t Target) *tls.Config {
	if cfg.ServerName != "" {
		return cfg
	}
	c := cfg.Clone()
	c.ServerName = t.Address.String()
	return c
}

func (c *tlsChecker) check(ctx context.Context, t Target) error {
	raw, err := dialer(t).DialContext(ctx, "tcp", t.AddrPort().String())
	if err != nil {
		return fmt.Errorf("connect to %s: %w", t, timeoutError(err))
	}
	defer abort(raw)
	conn := tls.Client(raw, forTarget(c.config, t))
	if err := conn.HandshakeContext(ctx); err != nil {
		return fmt.Errorf("tls handshake with %s: %w", t, timeoutError(err))
	}
	return converse(ctx, conn, t, c.send, c.expect)
}

func (c *tlsChecker) close() {}
