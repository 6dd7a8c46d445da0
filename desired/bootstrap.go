package desired

import (
	"errors"
	"path/filepath"
)

// raise is l with each field raised to node's where node's is larger.
func (l Limits) raise(node Limits) Limits {
	l.FileBytes = max(l.FileBytes, node.FileBytes)
	l.DirBytes = max(l.DirBytes, node.DirBytes)
	return l
}

// errNotReadForLimits is what a referenced file reads as while nodeLimits
// looks for the node: the limits never depend on a secret or CA file.
var errNotReadForLimits = errors.New("not read while looking for node.limits")

// nodeLimits is what `node.limits` sets in the first file, in name order,
// that defines `node` and fits floor.FileBytes (sizes[i] is the size of
// files[i] as read, -1 if unread; nil: every parsed file fits). A file the
// load could not parse is read again within floor and parsed on its own, so
// the node is found even in a file dropped over the directory's limit; such
// files are read one at a time, so memory stays within one file's limit.
func nodeLimits(dir string, files []*parsedFile, sizes []int64, floor Limits) Limits {
	refuse := func(string) ([]byte, error) { return nil, errNotReadForLimits }
	for i, f := range files {
		if f.unparsed {
			data, err := readBounded(filepath.Join(dir, f.Name), floor.FileBytes)
			if err != nil {
				continue
			}
			f = parse(f.Name, data, dir, refuse)
		} else if sizes != nil && sizes[i] > floor.FileBytes {
			continue
		}
		if f.node != nil {
			return f.node.Limits
		}
	}
	return Limits{}
}
