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

// Error renders FILE:LINE:COL: path: message.
func (e Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
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
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in a configuration, sorted by file, line and
// column. It matches ErrInvalid with errors.Is.
type Errors []Error

// Error renders one problem per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
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
