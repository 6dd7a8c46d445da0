// Package keepalived reads a keepalived.conf and converts it into a seesaw
// configuration directory; `seesaw-reconcile import keepalived` is its
// command.
//
// Two steps, each usable alone:
//
//	cfg, err := keepalived.Parse("/etc/keepalived/keepalived.conf", keepalived.Options{ConfigID: "lb1"})
//	res, err := keepalived.Convert(cfg, keepalived.ConvertOptions{})
//	// res.NodeYAML, res.ServicesYAML: the files; res.Notes: what did not convert
//
// Parse knows keepalived's grammar and nothing of its keywords: lines of
// words, `{ ... }` blocks (nested, on the same line or the next), quoted
// strings, comments from an unquoted `#` or `!`, `\` continuing a line,
// `include` with globs relative to the including file (at any depth, even
// inside a block), the `@ID` / `@^ID` line prefixes that select lines per
// node, and one-line `$NAME=VALUE` definitions used as `$NAME` or `${NAME}`. Every statement carries FILE:LINE. Input is bounded (Limits):
// no file, include chain or nesting makes it run long or out of memory,
// and no input makes it panic (FuzzParse).
//
// Convert maps the statements onto the configuration seesaw has today
// (docs/migrating-from-keepalived.md has the table). Invariants a change
// must keep:
//
//   - The files Convert returns always pass desired.Load (TestGoldenValidates
//     loads every converted corpus file): a value seesaw would reject is
//     left out and noted, never written.
//   - Everything not carried over, or carried over with a change of meaning,
//     is a Note at the line it concerns, saying what to do instead.
//   - Output is deterministic: the same input gives the same bytes.
package keepalived
