package keepalived

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// dump renders statements one per line, indented by depth, with FILE:LINE.
func dump(stmts []*Stmt, depth int, b *strings.Builder) {
	for _, s := range stmts {
		fmt.Fprintf(b, "%s%s %q", strings.Repeat("  ", depth), s.Pos, s.Words)
		if s.Block != nil {
			b.WriteString(" {")
		}
		b.WriteString("\n")
		dump(s.Block, depth+1, b)
	}
}

func TestParseGrammar(t *testing.T) {
	src := MapSource{
		"/e/keepalived.conf": "! comment\n" +
			"global_defs {   # comment\n" +
			"\trouter_id \"lb one\" ! comment\n" +
			"}\n" +
			"vrrp_instance VI_1\n" +
			"{\n" +
			"@lb1 priority 200\n" +
			"@^lb1 priority 100\n" +
			"@lb2 priority 50\n" +
			"  virtual_ipaddress { 192.0.2.1 }\n" +
			"  x \"c#d\" e\\#f \\\n" +
			"    g\n" +
			"}\n" +
			"include inc/*.conf\n" +
			"virtual_server 192.0.2.1 80 { real_server 198.51.100.1 80 { weight 2 } }\r\n",
		"/e/inc/b.conf": "b_top\n",
		"/e/inc/a.conf": "a_top {\ninclude ../leaf\n}\n",
		"/e/leaf":       "leaf 1\n",
	}
	cfg, err := Parse("/e/keepalived.conf", Options{Source: src, ConfigID: "lb1"})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	dump(cfg.Stmts, 0, &b)
	want := `/e/keepalived.conf:2 ["global_defs"] {
  /e/keepalived.conf:3 ["router_id" "lb one"]
/e/keepalived.conf:5 ["vrrp_instance" "VI_1"] {
  /e/keepalived.conf:7 ["priority" "200"]
  /e/keepalived.conf:10 ["virtual_ipaddress"] {
    /e/keepalived.conf:10 ["192.0.2.1"]
  /e/keepalived.conf:11 ["x" "c#d" "e#f" "g"]
/e/inc/a.conf:1 ["a_top"] {
  /e/leaf:1 ["leaf" "1"]
/e/inc/b.conf:1 ["b_top"]
/e/keepalived.conf:15 ["virtual_server" "192.0.2.1" "80"] {
  /e/keepalived.conf:15 ["real_server" "198.51.100.1" "80"] {
    /e/keepalived.conf:15 ["weight" "2"]
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if got := strings.Join(cfg.Files, " "); got != "/e/keepalived.conf /e/inc/a.conf /e/leaf /e/inc/b.conf" {
		t.Errorf("files %s", got)
	}
}

func TestParseDefinitions(t *testing.T) {
	src := MapSource{"/k": "$VIP=192.0.2.5 # comment\n" +
		"$A=${VIP}:$PORT\n" +
		"$PORT=80\n" +
		"v $VIP ${PORT} $A $UNDEFINED $\n" +
		"$M=x \\\n"}
	cfg, err := Parse("/k", Options{Source: src})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	dump(cfg.Stmts, 0, &b)
	if want := `/k:4 ["v" "192.0.2.5" "80" "192.0.2.5:80" "$UNDEFINED" "$"]` + "\n"; b.String() != want {
		t.Errorf("got %s want %s", b.String(), want)
	}
	if len(cfg.Notes) != 1 || !strings.Contains(cfg.Notes[0].String(), "/k:5: $M: multi-line definitions are not expanded") {
		t.Errorf("notes %v", cfg.Notes)
	}
	for _, conf := range []string{"$L=$L$L\nx $L\n", "$L=${L}\nx $L\n"} {
		_, err := Parse("/k", Options{Source: MapSource{"/k": conf}})
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "/k:2: $ substitution") {
			t.Errorf("%q: error %v, want a limit at /k:2", conf, err)
		}
	}
}

func TestParseByteOrderMark(t *testing.T) {
	cfg, err := Parse("/k", Options{Source: MapSource{"/k": "\ufeffglobal_defs {\n}\n"}})
	if err != nil || len(cfg.Stmts) != 1 || cfg.Stmts[0].Keyword() != "global_defs" {
		t.Fatalf("a leading byte order mark: %v %+v", err, cfg)
	}
}

func TestParseConfigIDUnset(t *testing.T) {
	src := MapSource{"/k": "@lb1 a\n@^lb1 b\n"}
	cfg, err := Parse("/k", Options{Source: src})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Stmts) != 1 || cfg.Stmts[0].Keyword() != "b" {
		t.Errorf("without a config id, @lb1 lines are dropped and @^lb1 lines read (as keepalived): got %d statements", len(cfg.Stmts))
	}
}

func TestParseErrors(t *testing.T) {
	deep := strings.Repeat("a {\n", 40) + strings.Repeat("}\n", 40)
	tests := []struct {
		name, conf string
		extra      MapSource
		lim        Limits
		want       string
		limit      bool
	}{
		{name: "quote", conf: "a {\n  b \"c\n}\n", want: "/k:2: unterminated quoted string"},
		{name: "extra close", conf: "a\n}\n", want: "/k:2: unexpected '}'"},
		{name: "unclosed", conf: "a {\n b {\n}\n", want: "/k:1: '{' is never closed"},
		{name: "lone open", conf: "{\n}\n", want: "/k:1: '{' without a statement"},
		{name: "double open", conf: "a { } {\n}\n", want: "/k:1: '{' without a statement"},
		{name: "include cycle", conf: "include /k\n", want: "/k:1: include /k: the file includes itself"},
		{name: "include missing file", conf: "include /nope.conf\n", extra: MapSource{}, want: ""},
		{name: "include nothing", conf: "include\n", want: "/k:1: include: no file named"},
		{name: "bad glob", conf: "include [\n", want: "/k:1: include \"/[\""},
		{name: "depth", conf: deep, want: "blocks nested over 32 deep", limit: true},
		{name: "bytes", conf: "a b c d\n", lim: Limits{Bytes: 4}, want: "over the limit of 4", limit: false},
		{name: "include depth", conf: "include /i1\n", extra: MapSource{"/i1": "include /i2\n", "/i2": "include /i3\n", "/i3": "x\n"},
			lim: Limits{IncludeDepth: 2}, want: "/i2:1: include /i3: includes nested over 2 deep", limit: true},
		{name: "files", conf: "include /i*\n", extra: MapSource{"/i1": "x\n", "/i2": "x\n"},
			lim: Limits{Files: 2}, want: "include /i2: over 2 files", limit: true},
		{name: "tokens", conf: "a b\nc d\ne f\n", lim: Limits{Tokens: 4}, want: "/k:3: over 4 tokens", limit: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := MapSource{"/k": tt.conf}
			for k, v := range tt.extra {
				src[k] = v
			}
			_, err := Parse("/k", Options{Source: src, Limits: tt.lim})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("error %v, want none (a glob without match is a note)", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if errors.Is(err, ErrLimit) != tt.limit {
				t.Errorf("errors.Is(err, ErrLimit) = %v, want %v", !tt.limit, tt.limit)
			}
		})
	}
}
