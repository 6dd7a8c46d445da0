package keepalived

import (
	"fmt"
	"strings"
)

// maxExpandedLine bounds a line after $NAME substitution, so definitions
// that refer to each other cannot grow a line without end.
const maxExpandedLine = 64 << 10

// definition recognises keepalived's `$NAME=VALUE` line: NAME is a letter
// or `_` then letters, digits and `_`; VALUE is the rest of the line
// without its comment and surrounding blanks.
func definition(line string) (name, value string, ok bool) {
	s := strings.TrimLeft(line, " \t")
	if !strings.HasPrefix(s, "$") {
		return "", "", false
	}
	n := identLen(s[1:])
	if n == 0 {
		return "", "", false
	}
	rest := strings.TrimLeft(s[1+n:], " \t")
	if !strings.HasPrefix(rest, "=") {
		return "", "", false
	}
	return s[1 : 1+n], strings.Trim(stripComment(rest[1:]), " \t\r\f\v"), true
}

// identLen is the length of the identifier at the start of s.
func identLen(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return i
		}
	}
	return len(s)
}

// stripComment cuts s at its first unquoted, unescaped `#` or `!`.
func stripComment(s string) string {
	quote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			quote = !quote
		case c == '\\':
			i++
		case !quote && (c == '#' || c == '!'):
			return s[:i]
		}
	}
	return s
}

// expand replaces `$NAME` and `${NAME}` of defined names, again while a
// replacement brings in more (at most 16 rounds and maxExpandedLine bytes).
// Undefined names stay as written.
func expand(line string, defs map[string]string, pos Pos) (string, error) {
	for range 16 {
		out, changed := expandOnce(line, defs)
		if len(out) > maxExpandedLine {
			return "", fmt.Errorf("%s: $ substitution makes the line over %d bytes: %w", pos, maxExpandedLine, errLimit)
		}
		if !changed {
			return out, nil
		}
		line = out
	}
	return "", fmt.Errorf("%s: $ substitution still changes the line after 16 rounds (definitions refer to each other): %w", pos, errLimit)
}

// expandOnce replaces each reference once, left to right.
func expandOnce(line string, defs map[string]string) (string, bool) {
	var b strings.Builder
	changed := false
	for i := 0; i < len(line); i++ {
		if line[i] != '$' || b.Len() > maxExpandedLine {
			b.WriteByte(line[i])
			continue
		}
		name, n := line[i+1:], 0
		if strings.HasPrefix(name, "{") {
			if end := strings.IndexByte(name, '}'); end > 0 {
				name, n = name[1:end], end+1
			}
		} else {
			n = identLen(name)
			name = name[:n]
		}
		v, ok := defs[name]
		if n == 0 || !ok {
			b.WriteByte('$')
			continue
		}
		b.WriteString(v)
		i += n
		changed = true
	}
	return b.String(), changed
}
