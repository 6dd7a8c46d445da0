package checks

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
)

// SpecID identifies a Spec by content: equal Specs have equal IDs.
type SpecID [16]byte

// String renders the ID in hex.
func (id SpecID) String() string { return fmt.Sprintf("%x", id[:]) }

// Key identifies a check by what it does (spec) and to what (target):
// identical checks from several services share one Key and run once.
type Key struct {
	Target Target
	Spec   SpecID
}

// String renders the key for logs: type-less target and spec ID.
func (k Key) String() string { return k.Target.String() + "/" + k.Spec.String()[:8] }

// ID returns the content identity of s.
func (s Spec) ID() SpecID {
	b, err := json.Marshal(s)
	if err != nil {
		// Spec holds only strings, numbers and slices of them: unreachable.
		panic(fmt.Sprintf("encode check spec: %v", err))
	}
	sum := sha256.Sum256(b)
	var id SpecID
	copy(id[:], sum[:])
	return id
}

// Key returns the check's identity: the target and the ID of the spec with
// its defaults filled in (so a default written out and one left implicit
// give the same Key). An invalid spec keys by its raw content.
func (c Check) Key() Key {
	if c.Spec == nil {
		return Key{Target: c.Target}
	}
	s, err := c.Spec.Normalize()
	if err != nil {
		s = *c.Spec
	}
	return Key{Target: c.Target, Spec: s.ID()}
}
