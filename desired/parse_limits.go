package desired

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Bounds of the `node.limits` sizes: a node may raise the read limits above
// DefaultLimits, never lower them, and up to these maxima.
const (
	MaxFileSizeLimit int64 = 4 << 30
	MaxDirSizeLimit  int64 = 64 << 30
)

// sizeUnits are the units a size is written in, largest first.
var sizeUnits = []struct {
	name  string
	bytes int64
}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}}

// decodeLimits decodes `limits: {file_size, dir_size}`; an unset key stays 0.
func (d *decoder) decodeLimits(n *yaml.Node, path string) Limits {
	var l Limits
	var fileN *yaml.Node
	ok := d.mapping(n, path, func(k string, v *yaml.Node) bool {
		p := key(path, k)
		switch k {
		case "file_size":
			l.FileBytes, fileN = d.sizeIn(v, p, DefaultLimits.FileBytes, MaxFileSizeLimit), v
		case "dir_size":
			l.DirBytes = d.sizeIn(v, p, DefaultLimits.DirBytes, MaxDirSizeLimit)
		default:
			return false
		}
		return true
	})
	if ok && l.FileBytes > 0 && l.FileBytes > l.orDefault().DirBytes {
		d.errorf(fileN, key(path, "file_size"), "%s is larger than the directory limit %s (raise dir_size too)",
			sizeName(l.FileBytes), sizeName(l.orDefault().DirBytes))
		l.FileBytes = 0
	}
	return l
}

// sizeIn decodes a size (see size) in [lo, hi]; an error gives 0.
func (d *decoder) sizeIn(n *yaml.Node, path string, lo, hi int64) int64 {
	v, ok := d.size(n, path)
	if !ok {
		return 0
	}
	if v < lo || v > hi {
		d.errorf(n, path, "%s is out of range %s..%s", n.Value, sizeName(lo), sizeName(hi))
		return 0
	}
	return v
}

// size decodes a byte count written as a decimal integer and a binary unit:
// 512KiB, 64MiB, 1GiB. A bare number is an error: there is no default unit.
func (d *decoder) size(n *yaml.Node, path string) (int64, bool) {
	if !d.scalar(n, path, "a size") {
		return 0, false
	}
	if n.Tag == "!!int" || n.Tag == "!!float" {
		d.errorf(n, path, "size %s has no unit; write e.g. %sMiB", n.Value, n.Value)
		return 0, false
	}
	for _, u := range sizeUnits {
		num, found := strings.CutSuffix(n.Value, u.name)
		if !found || n.Tag != "!!str" || !isDecimal(num) || strings.HasPrefix(num, "-") {
			continue
		}
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil || v > (1<<62)/u.bytes {
			break
		}
		return v * u.bytes, true
	}
	d.errorf(n, path, "%q is not a size (like 512KiB, 64MiB, 1GiB)", n.Value)
	return 0, false
}
