package desired

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// isDecimal reports whether s is an integer written in plain decimal: an
// optional minus, then 0 or digits without a leading zero. YAML also reads
// 0x50, 0o17, 017 (YAML 1.1 octal), 0b11, +5 and 1_000 as integers; each
// is refused so that a number means what it looks like.
func isDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || len(s) > 1 && s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// notDecimal says why a number node is not a decimal integer.
func notDecimal(n *yaml.Node) string {
	if n.Tag == "!!float" {
		return "want an integer, got a float " + n.Value
	}
	var v int64
	if n.Decode(&v) == nil {
		return fmt.Sprintf("%s is not a decimal integer (YAML reads it as %d); write integers in decimal", n.Value, v)
	}
	return n.Value + " is not a decimal integer"
}

// name decodes a name (node, service, check, VRRP instance): a string
// without control characters, which would garble logs and tables.
func (d *decoder) name(n *yaml.Node, path string) string {
	s := d.str(n, path)
	for _, r := range s {
		if unicode.IsControl(r) {
			d.errorf(n, path, "name %q contains the control character %U", s, r)
			return ""
		}
	}
	return s
}

// escapeControls replaces each control character of s (and each invalid
// UTF-8 byte) with its Go escape, so a printed problem stays on one line
// and cannot drive a terminal.
func escapeControls(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// utf8Error locates the first byte of data that is not UTF-8, as a
// problem at its line and column; nil when data is UTF-8 (or starts with
// a UTF-16 byte order mark, which the YAML parser decodes itself).
func utf8Error(file string, data []byte) *Error {
	if utf8.Valid(data) || len(data) >= 2 && (data[0] == 0xfe && data[1] == 0xff || data[0] == 0xff && data[1] == 0xfe) {
		return nil
	}
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return &Error{File: file, Line: line, Col: col, Msg: fmt.Sprintf("malformed YAML: byte 0x%02x is not UTF-8", data[i])}
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return nil
}
