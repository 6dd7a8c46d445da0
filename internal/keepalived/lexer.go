package keepalived

import (
	"fmt"
	"strings"
)

// Pos is where a token was written: the file as the include named it (or
// the path given to Parse) and the 1-based line.
type Pos struct {
	File string
	Line int
}

// String is FILE:LINE, the form every report and error uses (FILE alone
// for a note about the whole file).
func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// tokenKind tells words from the structural tokens.
type tokenKind int

const (
	tokWord  tokenKind = iota // a bare word or a quoted string, unquoted
	tokOpen                   // {
	tokClose                  // }
	tokEOL                    // end of a line
)

// token is one lexical unit with its position.
type token struct {
	kind tokenKind
	text string
	pos  Pos
}

// lexLine splits one line into tokens, as keepalived's reader does: an
// unquoted `#` or `!` begins a comment to the end of the line, even inside
// a word (`\#` and `\!` write the characters themselves); `{` and `}` are
// tokens of their own even without spaces around them; a double-quoted
// string is one word, with `\"` and `\\` escapes. cont reports a line
// ending in `\`, which continues on the next line. An unterminated quote
// is an error.
func lexLine(line string, pos Pos) (toks []token, cont bool, err error) {
	i := 0
	for i < len(line) {
		c := line[i]
		switch {
		case isSpace(c):
			i++
		case c == '#' || c == '!':
			return toks, false, nil
		case c == '{' || c == '}':
			k := tokOpen
			if c == '}' {
				k = tokClose
			}
			toks = append(toks, token{kind: k, text: string(c), pos: pos})
			i++
		case c == '"':
			s, n, err := lexQuoted(line[i+1:])
			if err != nil {
				return nil, false, fmt.Errorf("%s: %w", pos, err)
			}
			toks = append(toks, token{kind: tokWord, text: s, pos: pos})
			i += 1 + n
		case c == '\\' && strings.TrimRight(line[i+1:], " \t\r\f\v") == "":
			return toks, true, nil
		default:
			w, n, comment := lexWord(line[i:])
			toks = append(toks, token{kind: tokWord, text: w, pos: pos})
			if comment {
				return toks, false, nil
			}
			i += n
		}
	}
	return toks, false, nil
}

// lexWord reads a bare word from the start of s: its text, the bytes it
// took, and whether it ended at a comment.
func lexWord(s string) (string, int, bool) {
	var b strings.Builder
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case isSpace(c) || c == '{' || c == '}' || c == '"':
			return b.String(), i, false
		case c == '#' || c == '!':
			return b.String(), i, true
		case c == '\\' && strings.TrimRight(s[i+1:], " \t\r\f\v") == "":
			return b.String(), i, false
		case c == '\\' && i+1 < len(s) && (s[i+1] == '#' || s[i+1] == '!'):
			i++
			c = s[i]
		}
		b.WriteByte(c)
	}
	return b.String(), i, false
}

// lexQuoted reads a quoted string's body from s (just after the opening
// quote) and returns it unescaped and how many bytes it took, closing quote
// included.
func lexQuoted(s string) (string, int, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			return b.String(), i + 1, nil
		case '\\':
			if i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
				i++
			}
		}
		b.WriteByte(s[i])
	}
	return "", 0, fmt.Errorf("unterminated quoted string")
}

// isSpace reports the bytes keepalived treats as white space.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'
}
