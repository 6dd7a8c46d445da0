package netnsexec

import (
	"slices"
	"testing"
)

// TestLinesSplitsWritesIntoLines: lines split across writes and several
// lines in one write each arrive whole; a last line without a newline
// does not.
func TestLinesSplitsWritesIntoLines(t *testing.T) {
	var got []string
	w := Lines(func(l []byte) { got = append(got, string(l)) })
	for _, s := range []string{"one\ntw", "o\n", "\nthree\nfour\nfi", "ve"} {
		if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if want := []string{"one", "two", "", "three", "four"}; !slices.Equal(got, want) {
		t.Fatalf("lines %q, want %q", got, want)
	}
}
