package keepalived

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
)

// FuzzParse feeds arbitrary text as a keepalived.conf (that may include
// itself or a fixed second file) and checks that Parse and Convert return
// without panicking or hanging, that positions are real lines, and that
// whatever converts passes desired.Load.
func FuzzParse(f *testing.F) {
	// Seeds are the corpus files cut at blank lines: whole files make
	// inputs so large that the mutator rarely reaches new code.
	paths, _ := filepath.Glob("testdata/*/keepalived.conf")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			for _, part := range strings.Split(string(b), "\n\n") {
				f.Add(part)
			}
		}
	}
	f.Add("include *.conf\n")
	f.Add("a {\n@x b \"c\\\" {\n}\n")
	f.Fuzz(func(t *testing.T, conf string) {
		tm := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("hung on %q", conf)) })
		defer tm.Stop()
		src := MapSource{
			"/k/keepalived.conf": conf,
			"/k/inc.conf":        "virtual_server 192.0.2.9 80 {\n real_server 198.51.100.9 80 {\n TCP_CHECK {\n }\n }\n}\n",
		}
		cfg, err := Parse("/k/keepalived.conf", Options{Source: src, ConfigID: "x", Limits: Limits{Bytes: 1 << 20}})
		if err != nil {
			return
		}
		checkPositions(t, cfg.Stmts)
		res, err := Convert(cfg, ConvertOptions{})
		if err != nil {
			t.Fatalf("convert: %v", err)
		}
		dir := t.TempDir()
		writeResult(t, dir, res)
		if _, err := desired.Load(dir); err != nil {
			t.Fatalf("converted output does not validate: %v\n%s\n%s", err, res.NodeYAML, res.ServicesYAML)
		}
	})
}

// checkPositions fails on a statement without a file or line.
func checkPositions(t *testing.T, stmts []*Stmt) {
	for _, s := range stmts {
		if s.Pos.File == "" || s.Pos.Line < 1 || len(s.Words) == 0 {
			t.Fatalf("statement %q at %v", s.Words, s.Pos)
		}
		checkPositions(t, s.Block)
	}
}
