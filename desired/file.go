package desired

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// parsedFile is one parsed configuration file: what it defines and the problems
// found in it alone. A watcher keeps one parsedFile per file name and re-parses only
// the files that changed; build combines them into a Config.
type parsedFile struct {
	// Name is the file's base name, used in errors and Source.
	Name     string
	node     *Node
	nodeSrc  Source
	services []Service
	checks   []Check
	refs     []checkRef
	// addresses are the floating addresses (top-level `addresses:`), with
	// their in-file paths.
	addresses    []FloatingAddress
	addressPaths []string
	errs         Errors
	// unparsed is set when the file could not be read or parsed, so what it
	// defines is unknown.
	unparsed bool
	// data is the text of a cleanly parsed file; spans locate its services
	// in it (nil: reparse must parse the whole file again).
	data  []byte
	spans *serviceSpans
}

// Err returns the problems found in this file alone (an Errors), or nil.
func (f *parsedFile) Err() error {
	if len(f.errs) == 0 {
		return nil
	}
	return f.errs
}

// readFunc reads a file referenced from the configuration (secrets, CA bundles).
type readFunc func(path string) ([]byte, error)

// parse decodes the content of the file called name. Relative secret_file and
// ca_file paths are resolved against dir and read with read. parse never
// fails: problems are kept in the parsedFile (see Err) and reported by build.
func parse(name string, data []byte, dir string, read readFunc) *parsedFile {
	f := &parsedFile{Name: name}
	reads := 0
	d := &decoder{file: name, dir: dir, read: func(path string) ([]byte, error) { reads++; return read(path) }}
	if e := utf8Error(name, data); e != nil {
		f.errs, f.unparsed = Errors{*e}, true
		return f
	}
	root, err := decodeYAML(data)
	if err != nil {
		f.errs = append(f.errs, yamlError(name, err))
		f.unparsed = true
		return f
	}
	if root != nil {
		d.decodeTop(root, f)
	}
	f.errs = append(f.errs, d.errs...)
	if len(f.errs) == 0 && reads == 0 { // secret and CA files: re-read them with every parse
		f.data, f.spans = data, spansOf(root, data)
	}
	return f
}

// decodeYAML parses exactly one YAML document; nil means an empty file.
func decodeYAML(data []byte) (root *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("yaml: cannot parse: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &multiDocError{line: extra.Line}
	} else if !errors.Is(err, io.EOF) {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// multiDocError reports a second YAML document in one file.
type multiDocError struct{ line int }

func (e *multiDocError) Error() string {
	return "yaml: line " + strconv.Itoa(e.line) + ": only one YAML document per file (remove the second ---)"
}

// yamlLine finds the line number in a yaml.v3 syntax error.
var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

// yamlError turns a YAML syntax error into an Error at its line.
func yamlError(file string, err error) Error {
	msg := err.Error()
	e := Error{File: file, Msg: "malformed YAML: " + msg}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Msg = "malformed YAML: " + msg[len(m[0]):]
		if isParserProblem(msg[len(m[0]):]) {
			e.Line++ // yaml.v3 reports parser (not scanner) errors with 0-based lines
		}
	}
	if e.Line == 0 {
		e.Line = 1
	}
	return e
}

// parserProblems are yaml.v3's parser error messages (its scanner errors
// carry 1-based lines, its parser errors 0-based ones).
var parserProblems = []string{"did not find expected", "found duplicate %", "found incompatible YAML",
	"found undefined tag handle"}

// isParserProblem reports whether a yaml.v3 message comes from its parser.
func isParserProblem(msg string) bool {
	for _, p := range parserProblems {
		if strings.HasPrefix(msg, p) && !isScannerProblem(msg) {
			return true
		}
	}
	return false
}

// isScannerProblem reports the scanner messages that share the parser's
// "did not find expected" prefix.
func isScannerProblem(msg string) bool {
	for _, tail := range []string{"alphabetic or numeric", "comment or line break", "digit or '.'",
		"hexdecimal", "version number", "whitespace", "directive name"} {
		if strings.HasPrefix(msg, "did not find expected "+tail) {
			return true
		}
	}
	return false
}

// decodeTop decodes a file's top level: node, services, checks and addresses.
func (d *decoder) decodeTop(root *yaml.Node, f *parsedFile) {
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return
	}
	d.mapping(root, "", func(k string, v *yaml.Node) bool {
		switch k {
		case "node":
			n := d.decodeNode(v, "node")
			f.node, f.nodeSrc = &n, d.src(v)
		case "services":
			f.services = slices.Grow(f.services, len(v.Content))
			d.sequence(v, "services", func(i int, e *yaml.Node) {
				f.services = append(f.services, d.decodeService(e, index("services", i), f))
			})
		case "checks":
			d.sequence(v, "checks", func(i int, e *yaml.Node) {
				f.checks = append(f.checks, d.decodeCheck(e, index("checks", i), true))
			})
		case "addresses":
			d.sequence(v, "addresses", func(i int, e *yaml.Node) {
				if a, ok := d.decodeFloating(e, index("addresses", i)); ok {
					f.addresses = append(f.addresses, a)
					f.addressPaths = append(f.addressPaths, index("addresses", i))
				}
			})
		default:
			return false
		}
		return true
	})
}
