package desired

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"
)

// ErrInvalid is matched (errors.Is) by every validation error list Load returns.
var ErrInvalid = errors.New("invalid configuration")

// ErrNoFiles is returned when a configuration directory holds no *.yaml or *.yml file.
var ErrNoFiles = errors.New("no *.yaml or *.yml files")

// Error is one problem in one place of the configuration.
type Error struct {
	// File is the base name of the file ("" for problems of the whole directory).
	File string
	// Line and Col are 1-based (0 when unknown).
	Line int
	Col  int
	// Path is the dotted path of the field, e.g. services[0].backends[1].address.
	Path string
	// Msg says what is wrong.
	Msg string
}

// Error renders FILE:LINE:COL: path: message, with control characters
// escaped (\x1b, \n) so that one problem is one safe line.
func (e Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(escapeControls(e.File))
		b.WriteByte(':')
		if e.Line > 0 {
			b.WriteString(strconv.Itoa(e.Line))
			b.WriteByte(':')
			if e.Col > 0 {
				b.WriteString(strconv.Itoa(e.Col))
				b.WriteByte(':')
			}
		}
		b.WriteByte(' ')
	}
	if e.Path != "" {
		b.WriteString(escapeControls(e.Path))
		b.WriteString(": ")
	}
	b.WriteString(escapeControls(e.Msg))
	return b.String()
}

// Errors is every problem found in a configuration, sorted by file, line and
// column. It matches ErrInvalid with errors.Is.
type Errors []Error

// MaxShownErrors bounds how many problems Errors.Error renders; the rest
// are counted on a last line, so a file with 200,000 mistakes prints a
// screenful, not 35 MB.
const MaxShownErrors = 200

// Error renders one problem per line, at most MaxShownErrors of them, then
// "... and N more errors".
func (es Errors) Error() string {
	shown := es[:min(len(es), MaxShownErrors)]
	lines := make([]string, len(shown), len(shown)+1)
	for i, e := range shown {
		lines[i] = e.Error()
	}
	if rest := len(es) - len(shown); rest > 0 {
		lines = append(lines, "... and "+thousands(rest)+" more errors")
	}
	return strings.Join(lines, "\n")
}

// thousands renders n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Is makes errors.Is(err, ErrInvalid) true.
func (es Errors) Is(target error) bool { return target == ErrInvalid }

// sort orders the errors by position and drops exact duplicates.
func (es Errors) sort() Errors {
	slices.SortStableFunc(es, func(a, b Error) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Msg, b.Msg))
	})
	return slices.Compact(es)
}
