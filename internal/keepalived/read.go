package keepalived

import (
	"fmt"
	"path/filepath"
	"strings"
)

// reader turns a file and the files it includes into one token stream,
// dropping the lines an `@` condition excludes.
type reader struct {
	src      Source
	lim      Limits
	configID string
	bytes    int64
	files    []string
	stack    []string // include chain, to refuse a cycle
	toks     []token
	notes    []Note
	defs     map[string]string // $NAME=VALUE definitions read so far
}

// readFile appends the tokens of name, which pos included (zero Pos for the
// top file).
func (r *reader) readFile(name string, from Pos) error {
	if len(r.stack) > r.lim.IncludeDepth {
		return fmt.Errorf("%s: include %s: includes nested over %d deep: %w", from, name, r.lim.IncludeDepth, errLimit)
	}
	clean := filepath.Clean(name)
	for _, s := range r.stack {
		if s == clean {
			return fmt.Errorf("%s: include %s: the file includes itself (through %s)", from, name, strings.Join(r.stack, " -> "))
		}
	}
	if len(r.files) >= r.lim.Files {
		return fmt.Errorf("%s: include %s: over %d files: %w", from, name, r.lim.Files, errLimit)
	}
	data, err := r.src.ReadFile(clean, r.lim.Bytes-r.bytes)
	if err != nil {
		if from.File != "" {
			return fmt.Errorf("%s: include: %w", from, err)
		}
		return err
	}
	r.bytes += int64(len(data))
	r.files = append(r.files, clean)
	r.stack = append(r.stack, clean)
	defer func() { r.stack = r.stack[:len(r.stack)-1] }()
	var held []token                                   // tokens of lines continued with `\`
	text := strings.TrimPrefix(string(data), "\ufeff") // an editor's byte order mark
	for i, line := range strings.Split(text, "\n") {
		pos := Pos{File: clean, Line: i + 1}
		if name, value, ok := definition(line); ok && len(held) == 0 {
			if strings.HasSuffix(value, "\\") {
				r.notes = append(r.notes, Note{Pos: pos, Text: fmt.Sprintf("$%s: multi-line definitions are not expanded: write the lines out", name)})
				continue
			}
			r.defs[name] = value
			continue
		}
		if len(r.defs) > 0 && strings.Contains(line, "$") {
			var err error
			if line, err = expand(line, r.defs, pos); err != nil {
				return err
			}
		}
		toks, cont, err := lexLine(line, pos)
		if err != nil {
			return err
		}
		if held = append(held, toks...); cont {
			continue
		}
		if err := r.readLine(held, pos); err != nil {
			return err
		}
		held = nil
	}
	return r.readLine(held, Pos{File: clean})
}

// readLine appends the tokens of one line, or expands it when it is an
// include.
func (r *reader) readLine(toks []token, pos Pos) error {
	if len(toks) > 0 && toks[0].kind == tokWord && strings.HasPrefix(toks[0].text, "@") {
		if !r.keep(toks[0].text) {
			return nil
		}
		toks = toks[1:]
	}
	if len(toks) > 0 && toks[0].kind == tokWord && toks[0].text == "include" {
		return r.include(toks, pos)
	}
	if len(toks) == 0 {
		return nil
	}
	if len(r.toks) >= r.lim.Tokens {
		return fmt.Errorf("%s: over %d tokens: %w", pos, r.lim.Tokens, errLimit)
	}
	r.toks = append(r.toks, toks...)
	r.toks = append(r.toks, token{kind: tokEOL, pos: pos})
	return nil
}

// keep reports whether a line prefixed with cond (`@id` or `@^id`) is read
// for this configuration id.
func (r *reader) keep(cond string) bool {
	if id, ok := strings.CutPrefix(cond, "@^"); ok {
		return id != r.configID
	}
	return strings.TrimPrefix(cond, "@") == r.configID
}

// include expands `include PATTERN...`: each pattern is a glob, relative to
// the directory of the including file, its matches read in name order.
func (r *reader) include(toks []token, pos Pos) error {
	if len(toks) < 2 {
		return fmt.Errorf("%s: include: no file named", pos)
	}
	for _, t := range toks[1:] {
		if t.kind != tokWord {
			return fmt.Errorf("%s: include: unexpected %q", pos, t.text)
		}
		pattern := t.text
		if !filepath.IsAbs(pattern) {
			pattern = filepath.Join(filepath.Dir(pos.File), pattern)
		}
		names, err := r.src.Glob(pattern)
		if err != nil {
			return fmt.Errorf("%s: %w", pos, err)
		}
		if len(names) == 0 {
			r.notes = append(r.notes, Note{Pos: pos, Text: fmt.Sprintf("include %s matches no file (keepalived skips it too)", t.text)})
		}
		for _, n := range names {
			if err := r.readFile(n, pos); err != nil {
				return err
			}
		}
	}
	return nil
}
