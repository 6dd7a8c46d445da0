package keepalived

import "fmt"

// Note is one thing the import could not carry over (or carried over
// differently), at the keepalived line it concerns, with what to do instead.
type Note struct {
	Pos  Pos
	Text string
}

// String is FILE:LINE: text, one line.
func (n Note) String() string { return fmt.Sprintf("%s: %s", n.Pos, n.Text) }
