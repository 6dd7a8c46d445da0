package checks

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
)

// radiusChecker sends one Access-Request (PAP) and compares the reply code.
// A reply whose Response Authenticator does not verify with the shared
// secret is a failure, reported as such (not a timeout).
type radiusChecker struct {
	user, password, nasID string
	secret                []byte
	want                  radius.Code
}

func newRADIUSChecker(o RADIUSOptions) (*radiusChecker, error) {
	c := &radiusChecker{user: o.User, password: o.Password, nasID: o.NASIdentifier, secret: []byte(o.Secret)}
	if o.Secret == "" {
		return nil, fmt.Errorf("%w: radius secret is empty", ErrInvalidSpec)
	}
	switch strings.ToLower(o.Expect) {
	case "accept":
		c.want = radius.CodeAccessAccept
	case "reject":
		c.want = radius.CodeAccessReject
	case "challenge":
		c.want = radius.CodeAccessChallenge
	default:
		return nil, fmt.Errorf("%w: radius expect %q: want accept, reject or challenge", ErrInvalidSpec, o.Expect)
	}
	return c, nil
}

func (c *radiusChecker) check(ctx context.Context, t Target) error {
	p := radius.New(radius.CodeAccessRequest, c.secret)
	if err := rfc2865.UserName_SetString(p, c.user); err != nil {
		return fmt.Errorf("build radius request: %w", err)
	}
	if err := rfc2865.UserPassword_SetString(p, c.password); err != nil {
		return fmt.Errorf("build radius request: %w", err)
	}
	if c.nasID != "" {
		if err := rfc2865.NASIdentifier_SetString(p, c.nasID); err != nil {
			return fmt.Errorf("build radius request: %w", err)
		}
	}
	cl := &radius.Client{Dialer: *dialer(t), MaxPacketErrors: 1}
	r, err := cl.Exchange(ctx, p, t.AddrPort().String())
	what := fmt.Sprintf("radius Access-Request for %q to %s", c.user, t)
	var bad *radius.NonAuthenticResponseError
	switch {
	case errors.As(err, &bad):
		return fmt.Errorf("%s: %w: bad response authenticator (wrong secret?)", what, ErrMismatch)
	case err != nil:
		return fmt.Errorf("%s: %w", what, timeoutError(err))
	case r.Code != c.want:
		return fmt.Errorf("%s: %w: %s, want %s", what, ErrMismatch, r.Code, c.want)
	}
	return nil
}

func (c *radiusChecker) close() {}
