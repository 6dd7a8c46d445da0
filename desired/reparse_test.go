package desired

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// spliceFile renders a services file with varied layout: comments, blank
// lines, flow and block backends, check references, a trailing top-level key.
func spliceFile(r *rand.Rand) string {
	var b strings.Builder
	b.WriteString("# services\nservices:\n")
	for i := range 2 + r.IntN(6) {
		fmt.Fprintf(&b, "  - name: s%d\n    vip: 192.0.2.%d\n    ports: [{proto: tcp, port: 80}]\n", i, 1+i)
		if r.IntN(3) == 0 {
			b.WriteString("    # a comment\n")
		}
		if r.IntN(3) == 0 {
			b.WriteString("    checks: [web]\n")
		}
		b.WriteString("    backends:\n")
		for j := range 1 + r.IntN(3) {
			if r.IntN(2) == 0 {
				fmt.Fprintf(&b, "      - {address: 198.51.100.%d, weight: %d}\n", 1+j, 1+r.IntN(9))
			} else {
				fmt.Fprintf(&b, "      - address: 198.51.100.%d\n        weight: %d\n", 1+j, 1+r.IntN(9))
			}
		}
		if r.IntN(3) == 0 {
			b.WriteString("\n")
		}
	}
	if r.IntN(2) == 0 {
		b.WriteString("checks:\n  - {name: web, type: tcp, port: 80}\n")
	}
	return b.String()
}

// lineEdits are the one-line edits the test applies (same line count).
var lineEdits = []func(r *rand.Rand, l string) string{
	func(r *rand.Rand, l string) string { // a digit changes: the common edit
		for k := range l {
			if l[k] >= '1' && l[k] <= '9' {
				return l[:k] + fmt.Sprint(r.IntN(10)) + l[k+1:]
			}
		}
		return l + " # x"
	},
	func(r *rand.Rand, l string) string { return "  " + l },
	func(r *rand.Rand, l string) string { return strings.TrimPrefix(l, "  ") },
	func(r *rand.Rand, l string) string { return "  - name: new" },
	func(r *rand.Rand, l string) string { return "    - name: new" },
	func(r *rand.Rand, l string) string { return "" },
	func(r *rand.Rand, l string) string { return "..." },
	func(r *rand.Rand, l string) string { return "---" },
	func(r *rand.Rand, l string) string { return "checks: []" },
	func(r *rand.Rand, l string) string { return "    vip: &a 192.0.2.99" },
	func(r *rand.Rand, l string) string { return "\t" + l },
	func(r *rand.Rand, l string) string { return l + " {" },
	func(r *rand.Rand, l string) string { return strings.Replace(l, "weight", "wieght", 1) },
	func(r *rand.Rand, l string) string { return "    scheduler: rr" },
	func(r *rand.Rand, l string) string { return "# " + l },
	func(r *rand.Rand, l string) string { return "    name: dup" },
}

// TestReparseEqualsParse applies random one-line and multi-line edits to
// random files: reparse with the previous parse must equal a fresh parse
// every time (the config, the errors, and what the next reparse needs).
func TestReparseEqualsParse(t *testing.T) {
	spliced := 0
	for seed := range uint64(80) {
		r := rand.New(rand.NewPCG(seed, 5))
		text := spliceFile(r)
		old := parse("f.yaml", []byte(text), "", nil)
		for step := range 40 {
			lines := strings.Split(text, "\n")
			for range 1 + r.IntN(2)*r.IntN(2) {
				k := r.IntN(len(lines) - 1)
				e := lineEdits[0] // a digit changes: the common edit
				if r.IntN(3) == 0 {
					e = lineEdits[r.IntN(len(lineEdits))]
				}
				lines[k] = e(r, lines[k])
			}
			if r.IntN(10) == 0 {
				lines = append(lines[:1], lines[2:]...) // a line count change
			}
			next := strings.Join(lines, "\n")
			got := reparse(old, "f.yaml", []byte(next), "", nil)
			want := parse("f.yaml", []byte(next), "", nil)
			if !sameParse(got, want) {
				t.Fatalf("seed %d step %d: reparse differs from parse in %s\nold:\n%s\nnew:\n%s", seed, step, fileDiff(got, want), text, next)
			}
			if text != next && splice(old, "f.yaml", []byte(next), "", nil) != nil {
				spliced++
			}
			if want.Err() == nil || r.IntN(5) == 0 {
				text, old = next, got
			}
		}
	}
	if spliced < 150 {
		t.Fatalf("only %d edits could take the splice path", spliced)
	}
}

// fileDiff names the parts of two Files that differ.
func fileDiff(a, b *parsedFile) string {
	var out []string
	for _, c := range []struct {
		name string
		x, y any
	}{
		{"node", a.node, b.node}, {"checks", a.checks, b.checks}, {"refs", a.refs, b.refs}, {"errs", a.errs, b.errs},
		{"unparsed", a.unparsed, b.unparsed}, {"data", string(a.data), string(b.data)}, {"spans", a.spans, b.spans},
	} {
		if !reflect.DeepEqual(c.x, c.y) {
			out = append(out, fmt.Sprintf("%s: %+v vs %+v", c.name, c.x, c.y))
		}
	}
	for i := range min(len(a.services), len(b.services)) {
		if !reflect.DeepEqual(a.services[i], b.services[i]) {
			out = append(out, fmt.Sprintf("service %d: %+v vs %+v", i, a.services[i], b.services[i]))
		}
	}
	if len(a.services) != len(b.services) {
		out = append(out, fmt.Sprintf("%d vs %d services", len(a.services), len(b.services)))
	}
	return strings.Join(out, "\n")
}
