package desired

import (
	"bytes"
	"slices"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// serviceSpans locate the items of a file's `services:` block sequence in
// its text, so an edit inside one item can re-parse that item alone.
type serviceSpans struct {
	// starts are the 1-based lines of the items' dashes; cols the 1-based
	// columns of their first keys (the dash is two columns left).
	starts, cols []int
	// end is the first line after the last item.
	end int
}

// spansOf returns the spans of a cleanly parsed file's services, or nil
// when its layout is not one reparse can splice: the root is not a block
// mapping, services is not a block sequence of block mappings each
// starting on its dash's line ("- name: ..."), or the text uses anchors
// or aliases (an item could then change another).
func spansOf(root *yaml.Node, data []byte) *serviceSpans {
	if root == nil || root.Kind != yaml.MappingNode || root.Style&yaml.FlowStyle != 0 || bytes.ContainsAny(data, "&*") {
		return nil
	}
	lines := bytes.Split(data, []byte("\n"))
	for k := 0; k+1 < len(root.Content); k += 2 {
		if root.Content[k].Value != "services" {
			continue
		}
		seq := root.Content[k+1]
		if seq.Kind != yaml.SequenceNode || seq.Style&yaml.FlowStyle != 0 || len(seq.Content) == 0 {
			return nil
		}
		sp := &serviceSpans{end: len(lines) + 1}
		if k+2 < len(root.Content) {
			sp.end = root.Content[k+2].Line
		}
		for _, it := range seq.Content {
			if it.Kind != yaml.MappingNode || it.Style&yaml.FlowStyle != 0 || it.Line < 2 || it.Column < 3 ||
				!dashAt(lines[it.Line-1], it.Column) {
				return nil
			}
			sp.starts, sp.cols = append(sp.starts, it.Line), append(sp.cols, it.Column)
		}
		return sp
	}
	return nil
}

// dashAt reports whether line is spaces, "- " and then the key at col.
func dashAt(line []byte, col int) bool {
	return len(line) >= col && string(line[col-3:col-1]) == "- " &&
		len(bytes.TrimLeft(line[:col-3], " ")) == 0
}

// reparse is parse(name, data, dir, read) given old, the parse of the same
// file's previous text. When old parsed cleanly, the text has as many lines
// as before and every changed line lies inside one item of `services:`,
// only that item is parsed (in a document that keeps its line numbers) and
// spliced into a copy of old; anything else, or any problem in the item,
// takes the full parse. The result equals parse's either way.
func reparse(old *parsedFile, name string, data []byte, dir string, read readFunc) *parsedFile {
	if f := splice(old, name, data, dir, read); f != nil {
		return f
	}
	return parse(name, data, dir, read)
}

// splice re-parses the one changed service of old, or returns nil.
func splice(old *parsedFile, name string, data []byte, dir string, read readFunc) *parsedFile {
	if old == nil || old.Name != name || old.spans == nil || len(old.errs) > 0 || old.unparsed || !utf8.Valid(data) ||
		bytes.Count(old.data, []byte("\n")) != bytes.Count(data, []byte("\n")) || bytes.ContainsAny(data, "&*") {
		return nil
	}
	if bytes.Equal(old.data, data) {
		return old
	}
	i, first, last, ok := changedItem(old, data)
	if !ok {
		return nil
	}
	chunk := linesOf(data, first, last)
	if !selfContained(bytes.SplitAfter(chunk, []byte("\n")), old.spans.cols[i]-3) {
		return nil
	}
	// The item alone under a "services:" line; its nodes' lines are then
	// moved to where the item sits in the file.
	root, err := decodeYAML(append([]byte("services:\n"), chunk...))
	if err != nil || root == nil || root.Kind != yaml.MappingNode || len(root.Content) != 2 ||
		root.Content[0].Value != "services" || len(root.Content[1].Content) != 1 {
		return nil
	}
	item := root.Content[1].Content[0]
	shiftLines(item, first-2)
	if item.Kind != yaml.MappingNode || item.Style&yaml.FlowStyle != 0 || item.Line != first || item.Column != old.spans.cols[i] {
		return nil
	}
	return spliceService(old, i, item, data, dir, read)
}

// linesOf returns lines [first, last) (1-based) of data.
func linesOf(data []byte, first, last int) []byte {
	start, line := 0, 1
	for line < first {
		start += bytes.IndexByte(data[start:], '\n') + 1
		line++
	}
	end := start
	for line < last && end < len(data) {
		if k := bytes.IndexByte(data[end:], '\n'); k >= 0 {
			end += k + 1
		} else {
			end = len(data)
		}
		line++
	}
	return data[start:end]
}

// shiftLines adds delta to the line of n and every node below it.
func shiftLines(n *yaml.Node, delta int) {
	n.Line += delta
	for _, c := range n.Content {
		shiftLines(c, delta)
	}
}

// changedItem finds the services item holding every changed line of data
// (old.data with as many lines) and the lines [first, last) of that item.
func changedItem(old *parsedFile, data []byte) (i, first, last int, ok bool) {
	p := 0
	for p < len(data) && p < len(old.data) && data[p] == old.data[p] {
		p++
	}
	q := 0
	for q < len(data)-p && q < len(old.data)-p && data[len(data)-1-q] == old.data[len(old.data)-1-q] {
		q++
	}
	lineOf := func(b []byte, off int) int { return 1 + bytes.Count(b[:off], []byte("\n")) }
	from := lineOf(data, p)
	to := max(lineOf(data, max(p, len(data)-q-1)), lineOf(old.data, max(p, len(old.data)-q-1)))
	sp := old.spans
	i = len(sp.starts) - 1
	for i >= 0 && sp.starts[i] > from {
		i--
	}
	if i < 0 {
		return 0, 0, 0, false
	}
	last = sp.end
	if i+1 < len(sp.starts) {
		last = sp.starts[i+1]
	}
	return i, sp.starts[i], last, to < last
}

// selfContained reports whether lines form one sequence item whose dash
// is at 0-based column dash: the first line is the dash line, every other
// line is blank, a comment, or indented deeper than the dash, and no line
// is a document marker or directive or indents with a tab.
func selfContained(lines [][]byte, dash int) bool {
	if len(lines) == 0 || !dashAt(lines[0], dash+3) {
		return false
	}
	for k, l := range lines {
		body := bytes.TrimLeft(l, " ")
		indent := len(l) - len(body)
		trimmed := bytes.TrimSpace(body)
		switch {
		case bytes.HasPrefix(l, []byte("---")), bytes.HasPrefix(l, []byte("...")), bytes.HasPrefix(l, []byte("%")),
			len(body) > 0 && body[0] == '\t':
			return false
		case k == 0, len(trimmed) == 0, trimmed[0] == '#', indent > dash:
		default:
			return false
		}
	}
	return true
}

// spliceService decodes item as service i and returns a copy of old with it.
func spliceService(old *parsedFile, i int, item *yaml.Node, data []byte, dir string, read readFunc) *parsedFile {
	d := &decoder{file: old.Name, dir: dir, read: read}
	scratch := &parsedFile{Name: old.Name, services: make([]Service, i)}
	path := index("services", i)
	if !d.usable(item, path) {
		return nil
	}
	s := d.decodeService(item, path, scratch)
	if len(d.errs) > 0 {
		return nil
	}
	f := *old
	f.data = data
	f.services = slices.Clone(old.services)
	f.services[i] = s
	f.refs = nil
	for _, r := range old.refs {
		if r.service < i {
			f.refs = append(f.refs, r)
		}
	}
	f.refs = append(f.refs, scratch.refs...)
	for _, r := range old.refs {
		if r.service > i {
			f.refs = append(f.refs, r)
		}
	}
	return &f
}
