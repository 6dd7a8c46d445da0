package desired

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// decoder walks one file's YAML tree strictly, collecting every error with
// its position instead of stopping at the first.
type decoder struct {
	file string
	dir  string   // the configuration directory, for relative file paths
	read readFunc // reads secret and CA files
	errs Errors
}

// errorf records a problem at node n.
func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, Error{File: d.file, Line: n.Line, Col: n.Column, Path: path,
		Msg: fmt.Sprintf(format, args...)})
}

// src is the position of node n in this file.
func (d *decoder) src(n *yaml.Node) Source {
	return Source{File: d.file, Line: n.Line, Col: n.Column}
}

// key appends a field name to a path.
func key(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// index appends a sequence index to a path.
func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// kindName names a node's type for error messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	switch n.Tag {
	case "!!null":
		return "null"
	case "!!bool":
		return "a boolean"
	case "!!int":
		return "an integer"
	case "!!float":
		return "a number"
	}
	return fmt.Sprintf("%q", n.Value)
}

// usable reports whether n is a plain node; aliases are rejected because
// expanding them can blow up (and a config should read top to bottom).
func (d *decoder) usable(n *yaml.Node, path string) bool {
	if n.Kind == yaml.AliasNode {
		d.errorf(n, path, "YAML aliases are not supported; write the value out")
		return false
	}
	if n.Anchor != "" {
		d.errorf(n, path, "YAML anchors are not supported; write the value out")
		return false
	}
	return true
}

// mapping calls field for every key of mapping n, rejecting duplicate keys and
// the keys field does not know (field returns false). It returns false when n
// is not a mapping.
func (d *decoder) mapping(n *yaml.Node, path string, field func(k string, v *yaml.Node) bool) bool {
	if !d.usable(n, path) {
		return false
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "want a mapping, got %s", kindName(n))
		return false
	}
	var seen map[string]bool // for large mappings, where a linear search per key is quadratic
	if len(n.Content) > 2*smallMapping {
		seen = make(map[string]bool, len(n.Content)/2)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		if kn.Kind != yaml.ScalarNode || kn.Tag == "!!merge" {
			d.errorf(kn, path, "keys must be plain names, got %s", kindName(kn))
			continue
		}
		if seen != nil && seen[kn.Value] || seen == nil && dupKey(n, i) {
			d.errorf(kn, key(path, kn.Value), "duplicate key %q", kn.Value)
			continue
		}
		if seen != nil {
			seen[kn.Value] = true
		}
		if !d.usable(vn, key(path, kn.Value)) {
			continue
		}
		if !field(kn.Value, vn) {
			d.errorf(kn, key(path, kn.Value), "unknown key %q", kn.Value)
		}
	}
	return true
}

// smallMapping is the size up to which duplicate keys are found by a linear search.
const smallMapping = 16

// dupKey reports whether the key at content index i appeared earlier in n.
func dupKey(n *yaml.Node, i int) bool {
	for j := 0; j < i; j += 2 {
		if n.Content[j].Value == n.Content[i].Value {
			return true
		}
	}
	return false
}

// sequence calls item for every element of sequence n.
func (d *decoder) sequence(n *yaml.Node, path string, item func(i int, v *yaml.Node)) bool {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "want a list, got %s", kindName(n))
		return false
	}
	for i, v := range n.Content {
		if d.usable(v, index(path, i)) {
			item(i, v)
		}
	}
	return true
}

// scalar reports whether n is a non-null scalar, recording an error otherwise.
func (d *decoder) scalar(n *yaml.Node, path, want string) bool {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.errorf(n, path, "want %s, got %s", want, kindName(n))
		return false
	}
	return true
}

// str decodes a string; numbers are taken as written, booleans and null are errors.
func (d *decoder) str(n *yaml.Node, path string) string {
	if !d.scalar(n, path, "a string") {
		return ""
	}
	if n.Tag == "!!bool" {
		d.errorf(n, path, "want a string, got a boolean (quote it)")
		return ""
	}
	return n.Value
}

// strings decodes a list of strings.
func (d *decoder) strings(n *yaml.Node, path string) []string {
	var out []string
	d.sequence(n, path, func(i int, v *yaml.Node) {
		out = append(out, d.str(v, index(path, i)))
	})
	return out
}

// integer decodes an integer in [lo, hi].
func (d *decoder) integer(n *yaml.Node, path string, lo, hi int64) (int64, bool) {
	if !d.scalar(n, path, "an integer") {
		return 0, false
	}
	if n.Tag != "!!int" {
		d.errorf(n, path, "want an integer, got %s", kindName(n))
		return 0, false
	}
	v, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil && n.Decode(&v) != nil {
		d.errorf(n, path, "%q is not an integer in range", n.Value)
		return 0, false
	}
	if v < lo || v > hi {
		d.errorf(n, path, "%d is out of range %d..%d", v, lo, hi)
		return 0, false
	}
	return v, true
}

// port decodes a port number 1..65535.
func (d *decoder) port(n *yaml.Node, path string) uint16 {
	v, _ := d.integer(n, path, 1, math.MaxUint16)
	return uint16(v)
}

// boolean decodes true or false.
func (d *decoder) boolean(n *yaml.Node, path string) bool {
	if !d.scalar(n, path, "true or false") {
		return false
	}
	var v bool
	if n.Tag != "!!bool" || n.Decode(&v) != nil {
		d.errorf(n, path, "want true or false, got %s", kindName(n))
	}
	return v
}

// share decodes a number in [0, 1].
func (d *decoder) share(n *yaml.Node, path string) float64 {
	if !d.scalar(n, path, "a number 0..1") {
		return 0
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if (n.Tag != "!!float" && n.Tag != "!!int") || err != nil || !(v >= 0 && v <= 1) {
		d.errorf(n, path, "want a number from 0 to 1, got %s", kindName(n))
		return 0
	}
	return v
}

// duration decodes a non-negative Go duration with a unit ("2s", "100ms").
func (d *decoder) duration(n *yaml.Node, path string) time.Duration {
	if !d.scalar(n, path, "a duration") {
		return 0
	}
	if n.Tag == "!!int" || n.Tag == "!!float" {
		d.errorf(n, path, "duration %s has no unit; write e.g. %ss or %sms", n.Value, n.Value, n.Value)
		return 0
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil || n.Tag != "!!str" {
		d.errorf(n, path, "%q is not a duration (like 2s, 100ms, 1m30s)", n.Value)
		return 0
	}
	if v < 0 {
		d.errorf(n, path, "duration %s is negative", n.Value)
		return 0
	}
	return v
}

// addr decodes an IP address (no zone; IPv4-mapped IPv6 is unmapped).
func (d *decoder) addr(n *yaml.Node, path string) netip.Addr {
	s := d.str(n, path)
	if s == "" {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		d.errorf(n, path, "%q is not an IP address", s)
		return netip.Addr{}
	}
	if a.IsUnspecified() {
		d.errorf(n, path, "%q is the unspecified address", s)
		return netip.Addr{}
	}
	return a.Unmap()
}

// addrs decodes a list of IP addresses.
func (d *decoder) addrs(n *yaml.Node, path string) []netip.Addr {
	var out []netip.Addr
	d.sequence(n, path, func(i int, v *yaml.Node) {
		if a := d.addr(v, index(path, i)); a.IsValid() {
			out = append(out, a)
		}
	})
	return out
}

// prefix decodes a CIDR prefix without host bits.
func (d *decoder) prefix(n *yaml.Node, path string) netip.Prefix {
	s := d.str(n, path)
	if s == "" {
		return netip.Prefix{}
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		d.errorf(n, path, "%q is not a CIDR prefix (like 192.0.2.0/24)", s)
		return netip.Prefix{}
	}
	if p.Masked() != p {
		d.errorf(n, path, "%q has host bits set; did you mean %s?", s, p.Masked())
		return netip.Prefix{}
	}
	return p
}

// fwmarkRange decodes a mark range written "FIRST-LAST" or a single mark.
func (d *decoder) fwmarkRange(n *yaml.Node, path string) FwmarkRange {
	if !d.scalar(n, path, "a fwmark range (like 100-199)") {
		return FwmarkRange{}
	}
	first, last, isRange := strings.Cut(n.Value, "-")
	if !isRange {
		last = first
	}
	a, err1 := strconv.ParseUint(strings.TrimSpace(first), 0, 32)
	b, err2 := strconv.ParseUint(strings.TrimSpace(last), 0, 32)
	if err1 != nil || err2 != nil || a == 0 || b < a {
		d.errorf(n, path, "%q is not a fwmark range FIRST-LAST with 1 <= FIRST <= LAST < 2^32", n.Value)
		return FwmarkRange{}
	}
	return FwmarkRange{First: uint32(a), Last: uint32(b)}
}

// interfaceName decodes a Linux network interface name.
func (d *decoder) interfaceName(n *yaml.Node, path string) string {
	s := d.str(n, path)
	if s == "" {
		return ""
	}
	if len(s) > 15 || s == "." || s == ".." || strings.ContainsAny(s, "/: \t\n") {
		d.errorf(n, path, "%q is not a network interface name (at most 15 characters, no '/', ':' or spaces)", s)
		return ""
	}
	return s
}

// oneOf decodes a string that must be one of choices.
func (d *decoder) oneOf(n *yaml.Node, path string, choices ...string) string {
	before := len(d.errs)
	s := d.str(n, path)
	if len(d.errs) > before {
		return ""
	}
	for _, c := range choices {
		if s == c {
			return s
		}
	}
	d.errorf(n, path, "%q is not one of %s", s, strings.Join(choices, ", "))
	return ""
}

// durationMin decodes a duration of at least lo.
func (d *decoder) durationMin(n *yaml.Node, path string, lo time.Duration) time.Duration {
	before := len(d.errs)
	v := d.duration(n, path)
	if len(d.errs) == before && v < lo {
		d.errorf(n, path, "%s is shorter than the minimum %s", v, lo)
	}
	return v
}
