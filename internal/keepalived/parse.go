package keepalived

import "fmt"

// Stmt is one keepalived statement: its words (the keyword first, quotes
// removed) and, when a `{ ... }` follows, the statements of that block.
type Stmt struct {
	Pos   Pos
	Words []string
	// Block is nil for a statement without braces and non-nil (maybe
	// empty) for one with them.
	Block []*Stmt
}

// Keyword is the statement's first word.
func (s *Stmt) Keyword() string { return s.Words[0] }

// Args are the words after the keyword.
func (s *Stmt) Args() []string { return s.Words[1:] }

// Config is a parsed keepalived configuration: the top-level statements
// with every include spliced in place.
type Config struct {
	Stmts []*Stmt
	// Files are the files read, the top one first, then includes in the
	// order they were read.
	Files []string
	// Notes are what reading noticed but did not stop for (an include that
	// matches nothing).
	Notes []Note
}

// Limits bound what Parse reads, so no input makes it run out of memory or
// recurse without end.
type Limits struct {
	Bytes        int64 // all files together
	Files        int   // files read, the top one included
	IncludeDepth int   // include within include
	BlockDepth   int   // braces within braces
	Tokens       int   // words and braces of all files
}

// DefaultLimits are far above any real configuration (a large
// keepalived.conf with 5,000 virtual servers is about 3 MiB).
var DefaultLimits = Limits{Bytes: 64 << 20, Files: 1000, IncludeDepth: 16, BlockDepth: 32, Tokens: 8 << 20}

// Options control Parse.
type Options struct {
	// Source reads files; nil means OSSource.
	Source Source
	// ConfigID selects the `@ID` lines that are read (keepalived's -i,
	// by default the short host name): a line prefixed `@ID` is read only
	// when ConfigID is ID, one prefixed `@^ID` only when it is not.
	ConfigID string
	// Limits bound the input; zero fields take DefaultLimits.
	Limits Limits
}

// ErrLimit matches (errors.Is) a parse stopped by one of Limits.
var ErrLimit = errLimit

// Parse reads the keepalived configuration file name with its includes and
// returns its statements. Structural problems (an unterminated quote, an
// unbalanced brace, an include that cannot be read, a limit) are errors
// that name FILE:LINE; what the statements mean is left to Convert.
func Parse(name string, opts Options) (*Config, error) {
	if opts.Source == nil {
		opts.Source = OSSource{}
	}
	r := &reader{src: opts.Source, lim: opts.Limits.orDefault(), configID: opts.ConfigID, defs: map[string]string{}}
	if err := r.readFile(name, Pos{}); err != nil {
		return nil, err
	}
	p := &parser{toks: r.toks, maxDepth: r.lim.BlockDepth}
	stmts, err := p.block(0, Pos{})
	if err != nil {
		return nil, err
	}
	return &Config{Stmts: stmts, Files: r.files, Notes: r.notes}, nil
}

// orDefault fills zero fields from DefaultLimits.
func (l Limits) orDefault() Limits {
	d := DefaultLimits
	if l.Bytes > 0 {
		d.Bytes = l.Bytes
	}
	if l.Files > 0 {
		d.Files = l.Files
	}
	if l.IncludeDepth > 0 {
		d.IncludeDepth = l.IncludeDepth
	}
	if l.BlockDepth > 0 {
		d.BlockDepth = l.BlockDepth
	}
	if l.Tokens > 0 {
		d.Tokens = l.Tokens
	}
	return d
}

// parser builds statements and blocks from the token stream.
type parser struct {
	toks     []token
	i        int
	maxDepth int
}

// block reads statements until the `}` that closes a block opened at open
// (depth > 0) or the end of input (depth 0). A `{` alone on a line opens the
// block of the statement on the line before, as keepalived allows.
func (p *parser) block(depth int, open Pos) ([]*Stmt, error) {
	if depth > p.maxDepth {
		return nil, fmt.Errorf("%s: blocks nested over %d deep: %w", open, p.maxDepth, errLimit)
	}
	stmts := []*Stmt{}
	for p.i < len(p.toks) {
		t := p.toks[p.i]
		p.i++
		switch t.kind {
		case tokEOL:
		case tokClose:
			if depth == 0 {
				return nil, fmt.Errorf("%s: unexpected '}': no block is open", t.pos)
			}
			return stmts, nil
		case tokOpen:
			if len(stmts) == 0 || stmts[len(stmts)-1].Block != nil {
				return nil, fmt.Errorf("%s: '{' without a statement before it", t.pos)
			}
			if err := p.body(stmts[len(stmts)-1], depth, t.pos); err != nil {
				return nil, err
			}
		case tokWord:
			s := &Stmt{Pos: t.pos, Words: []string{t.text}}
			for p.i < len(p.toks) && p.toks[p.i].kind == tokWord {
				s.Words = append(s.Words, p.toks[p.i].text)
				p.i++
			}
			stmts = append(stmts, s)
			if p.i < len(p.toks) && p.toks[p.i].kind == tokOpen {
				pos := p.toks[p.i].pos
				p.i++
				if err := p.body(s, depth, pos); err != nil {
					return nil, err
				}
			}
		}
	}
	if depth > 0 {
		return nil, fmt.Errorf("%s: '{' is never closed", open)
	}
	return stmts, nil
}

// body reads the block of s, opened at pos.
func (p *parser) body(s *Stmt, depth int, pos Pos) error {
	b, err := p.block(depth+1, pos)
	if err != nil {
		return err
	}
	s.Block = b
	return nil
}
