package desired

import (
	"reflect"
	"slices"
	"testing"
)

// FuzzReparse re-parses arbitrary edits of a valid services file: reparse
// with the previous parse must never panic and must equal a full parse.
// The fuzzer mutates the new text; the old text is a fixed valid file.
func FuzzReparse(f *testing.F) {
	old := []byte("services:\n  - name: a\n    vip: 192.0.2.1\n    ports: [{proto: tcp, port: 80}]\n    backends:\n" +
		"      - {address: 198.51.100.1, weight: 1}\n  - name: b\n    vip: 192.0.2.2\n    ports: [{proto: tcp, port: 80}]\n" +
		"    checks: [web]\n    backends:\n      - address: 198.51.100.2\n        weight: 2\nchecks:\n  - {name: web, type: tcp, port: 80}\n")
	f.Add(old)
	f.Add([]byte(string(old[:60]) + "9" + string(old[61:])))
	f.Add([]byte("services:\n  - name: a\n    vip: 192.0.2.1\n    ports: [{proto: tcp, port: 80}]\n    backends:\n" +
		"      - {address: 198.51.100.1, weight: 1}\n  - name: b\n...\n"))
	prev := parse("f.yaml", old, "/cfg", fuzzRead)
	f.Fuzz(func(t *testing.T, data []byte) {
		got := reparse(prev, "f.yaml", data, "/cfg", fuzzRead)
		want := parse("f.yaml", data, "/cfg", fuzzRead)
		if !sameParse(got, want) {
			t.Fatalf("reparse differs from parse in %s\nnew text:\n%s", fileDiff(got, want), data)
		}
	})
}

// sameParse compares two parses; errors in any order (parse reports some
// in map order; build sorts them).
func sameParse(a, b *parsedFile) bool {
	x, y := *a, *b
	x.errs, y.errs = slices.Clone(x.errs).sort(), slices.Clone(y.errs).sort()
	return reflect.DeepEqual(&x, &y)
}
