package desired

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// keyPrefixes maps each decoding function that switches on a key name to the
// path of the mapping it decodes. A new decoding function must be added here
// (the test fails until it is), which keeps the documentation check complete.
var keyPrefixes = map[string][]string{
	"decodeTop":          {""},
	"decodeNode":         {"node"},
	"decodeScope":        {"node.scope"},
	"decodeMassDelete":   {"node.mass_delete"},
	"decodeLimits":       {"node.limits"},
	"decodeIPVS":         {"node.ipvs"},
	"decodeIPVSTimeouts": {"node.ipvs.timeouts"},
	"decodeVRRP":         {"node.vrrp"},
	"decodeTrack":        {"node.vrrp.track"},
	"decodeTracked":      {"node.vrrp.track.interfaces[]", "node.vrrp.track.services[]"},
	"decodeSyncDaemon":   {"node.vrrp.sync_daemon"},
	"decodeSyncGroups":   {"node.vrrp_sync_groups[]"},
	"decodeFloating":     {"addresses[]"},
	"decodeBGP":          {"node.bgp"},
	"decodeHook":         {"node.notify[]"},
	"decodeBGPPeer":      {"node.bgp.peers[]"},
	"decodeBFD":          {"node.bgp.peers[].bfd"},
	"serviceField":       {"services[]"},
	"decodePort":         {"services[].ports[]"},
	"decodeTunnel":       {"services[].tunnel"},
	"decodePersistence":  {"services[].persistence"},
	"decodeWatermarks":   {"services[].watermarks"},
	"decodeBackend":      {"services[].backends[]", "services[].fallback[]"},
	"decodeFallback":     {"services[].fallback[]"},
	"checkField":         {"checks[]"},
	"checkTypeField":     {"checks[]"},
	"decodeExpect":       {"checks[].expect"},
	"decodeTLS":          {"checks[].tls"},
}

// schemaKeys finds every key the decoder accepts: the string cases of each
// `switch k` in the package's source, prefixed with the mapping's path.
func schemaKeys(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"services[].checks[].use", "node.vrrp_instances[].name"} // decoded without a switch
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok {
				continue
			}
			for _, k := range switchKeys(fn) {
				prefixes, ok := keyPrefixes[fn.Name.Name]
				if !ok {
					t.Fatalf("%s decodes key %q but is not in keyPrefixes", fn.Name.Name, k)
				}
				for _, p := range prefixes {
					keys = append(keys, strings.TrimPrefix(p+"."+k, "."))
				}
			}
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// switchKeys returns the string cases of `switch k` statements in fn.
func switchKeys(fn *ast.FuncDecl) []string {
	var out []string
	ast.Inspect(fn, func(n ast.Node) bool {
		sw, ok := n.(*ast.SwitchStmt)
		if !ok {
			return true
		}
		if id, ok := sw.Tag.(*ast.Ident); !ok || id.Name != "k" {
			return true
		}
		for _, st := range sw.Body.List {
			for _, e := range st.(*ast.CaseClause).List {
				if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					out = append(out, s)
				}
			}
		}
		return true
	})
	return out
}

// docRow matches the key column of a reference table row.
var docRow = regexp.MustCompile("(?m)^\\| `([a-z0-9_\\[\\].]+)` \\|")

// TestConfigurationDocumented: every key the decoder accepts has a row in
// docs/configuration.md, and every row is a real key.
func TestConfigurationDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, m := range docRow.FindAllStringSubmatch(string(doc), -1) {
		rows = append(rows, m[1])
	}
	keys := schemaKeys(t)
	if len(keys) < 100 {
		t.Fatalf("found only %d schema keys; the source scan is broken", len(keys))
	}
	for _, k := range keys {
		if k == "node" || k == "services" || k == "checks" {
			continue // the section headings
		}
		if !slices.Contains(rows, k) {
			t.Errorf("schema key %s is not documented in docs/configuration.md", k)
		}
	}
	for _, r := range rows {
		if !slices.Contains(keys, r) {
			t.Errorf("docs/configuration.md documents %s, which is not a schema key", r)
		}
	}
}
