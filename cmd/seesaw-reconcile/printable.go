package main

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// printable escapes the control characters of s (and bytes that are not
// UTF-8) the way strconv.Quote does, so text from configuration files or
// from backends cannot break a table's columns or drive the terminal.
func printable(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r == utf8.RuneError || unicode.IsControl(r) }) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsControl(r) {
			q := strconv.Quote(s[i : i+size])
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// printableLines is printable for each line of s, lines joined by sep.
func printableLines(s, sep string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = printable(l)
	}
	return strings.Join(lines, sep)
}

// printableAll is printable for each of list.
func printableAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = printable(s)
	}
	return out
}
