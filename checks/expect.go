package checks

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
)

// maxReply bounds how much of a reply or body a check reads.
const maxReply = 64 << 10

// matcher is a compiled Expect.
type matcher struct {
	sub []byte
	re  *regexp.Regexp
}

// compileExpect compiles e; a bad regular expression is an ErrInvalidSpec.
func compileExpect(e Expect) (*matcher, error) {
	m := &matcher{sub: []byte(e.Contains)}
	if e.Regexp != "" {
		re, err := regexp.Compile(e.Regexp)
		if err != nil {
			return nil, fmt.Errorf("%w: expect regex %q: %v", ErrInvalidSpec, e.Regexp, err)
		}
		m.re = re
	}
	return m, nil
}

// empty reports whether the matcher matches anything.
func (m *matcher) empty() bool { return len(m.sub) == 0 && m.re == nil }

// match reports whether b satisfies every part of the matcher.
func (m *matcher) match(b []byte) bool {
	if len(m.sub) > 0 && !bytes.Contains(b, m.sub) {
		return false
	}
	return m.re == nil || m.re.Match(b)
}

// describe names what the matcher wants, for error messages.
func (m *matcher) describe() string {
	switch {
	case len(m.sub) > 0 && m.re != nil:
		return "substring " + strconv.Quote(string(m.sub)) + " and regex " + strconv.Quote(m.re.String())
	case m.re != nil:
		return "regex " + strconv.Quote(m.re.String())
	}
	return "substring " + strconv.Quote(string(m.sub))
}

// readMatch reads from r until the accumulated bytes match, r ends, limit
// bytes were read, or reading fails (a deadline on r bounds the time).
func (m *matcher) readMatch(r io.Reader, limit int) error {
	buf := make([]byte, 0, 512)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), limit)])
		buf = buf[:len(buf)+n]
		if m.match(buf) {
			return nil
		}
		if len(buf) >= limit {
			return fmt.Errorf("%w: %s not found in the first %d bytes", ErrMismatch, m.describe(), len(buf))
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("%w: %s not found in %d bytes before end of stream: %q",
					ErrMismatch, m.describe(), len(buf), excerpt(buf))
			}
			return fmt.Errorf("read reply after %d bytes (%s not found): %w", len(buf), m.describe(), timeoutError(err))
		}
	}
}

// excerpt returns the start of b for error messages.
func excerpt(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}
