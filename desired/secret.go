package desired

import (
	"fmt"
	"log/slog"
)

// redacted replaces a secret wherever it would be printed.
const redacted = "[redacted]"

// Secret holds a secret value (a RADIUS password or shared secret) that is
// never printed: String, Format, GoString, MarshalJSON, MarshalText and
// LogValue all redact it. Read it with Value.
type Secret struct {
	value string
}

// NewSecret wraps a secret value.
func NewSecret(v string) Secret { return Secret{value: v} }

// Value returns the secret itself; use it only to send it where it belongs.
func (s Secret) Value() string { return s.value }

// IsZero reports whether no secret is set.
func (s Secret) IsZero() bool { return s.value == "" }

// String redacts the secret.
func (s Secret) String() string { return redacted }

// GoString redacts the secret (%#v).
func (s Secret) GoString() string { return redacted }

// Format redacts the secret for every fmt verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// MarshalJSON redacts the secret.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText redacts the secret.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue redacts the secret in log/slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }
