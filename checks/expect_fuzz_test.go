package checks

import (
	"bytes"
	"errors"
	"testing"
	"testing/iotest"
)

// FuzzReadMatch reads arbitrary replies in one-byte reads: the verdict must
// equal matching the whole (bounded) reply at once, and never panic.
func FuzzReadMatch(f *testing.F) {
	f.Add([]byte("+PONG\r\n"), "PONG", `^\+`)
	f.Add([]byte("HTTP/1.1 200 OK\r\n"), "", `\d{3}`)
	f.Add([]byte{0, 0xff, 0x16}, "\xff", "")
	f.Fuzz(func(t *testing.T, reply []byte, sub, re string) {
		m, err := compileExpect(Expect{Contains: sub, Regexp: re})
		if err != nil {
			t.Skip() // an invalid regex is rejected at compile time
		}
		const limit = 256
		err = m.readMatch(iotest.OneByteReader(bytes.NewReader(reply)), limit)
		prefix := reply[:min(len(reply), limit)]
		// The expectation is judged on what was received after each read
		// (one byte each here; an empty reply is judged once, empty); a
		// match of some such prefix must mean success, and only then.
		matched, first := false, min(1, len(prefix))
		for i := first; i <= len(prefix) && !matched; i++ {
			matched = m.match(prefix[:i])
		}
		if matched != (err == nil) {
			t.Fatalf("reply %q sub %q re %q: readMatch %v, some prefix matches: %v", reply, sub, re, err, matched)
		}
		if err != nil && !errors.Is(err, ErrMismatch) {
			t.Fatalf("a reply that ends cleanly gave %v, want ErrMismatch", err)
		}
	})
}
