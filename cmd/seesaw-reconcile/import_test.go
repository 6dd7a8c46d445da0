package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusFile is a keepalived.conf of the importer's test corpus.
const corpusFile = "../../internal/keepalived/testdata/dr-pair/keepalived.conf"

// TestImportKeepalived converts a file of the corpus; the host's unit run
// has the source tree, the VM's run of this binary does not.
func TestImportKeepalived(t *testing.T) {
	if _, err := os.Stat(corpusFile); err != nil {
		t.Skip("the importer's corpus is not here: the test binary runs outside the source tree")
	}
	out := filepath.Join(t.TempDir(), "conf")
	var stdout, stderr bytes.Buffer
	code := run([]string{"import", "keepalived", corpusFile, "--out", out, "--config-id", "lb1"}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{
		corpusFile + ":111: url digest: not converted",
		corpusFile + ":30: authentication: not converted",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if strings.Contains(stderr.String(), "sorry_server") {
		t.Errorf("the sorry_server is listed as not converted:\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "3 services, 8 constructs not converted") {
		t.Errorf("stdout: %s", stdout.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"validate", "--config-dir", out}, &stdout, &stderr); code != exitOK {
		t.Fatalf("validate exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "valid: node lb1, 2 files, 3 services, 7 backends, 1 fallback, 3 checks") {
		t.Errorf("validate: %s", stdout.String())
	}

	// A second import does not overwrite the files unless --force.
	stderr.Reset()
	if code := run([]string{"import", "--out", out, "keepalived", corpusFile}, &stdout, &stderr); code != exitFailure ||
		!strings.Contains(stderr.String(), "node.yaml: the file exists (use --force to replace it)") {
		t.Errorf("second import: exit %d, stderr %s", code, stderr.String())
	}
	if code := run([]string{"import", "keepalived", "--force", "--node-name", "lb9", corpusFile, "--out", out}, &stdout, &stderr); code != exitOK {
		t.Fatalf("import --force: exit %d", code)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "node.yaml")); !strings.Contains(string(b), "name: lb9") {
		t.Errorf("node.yaml after --force --node-name lb9:\n%s", b)
	}
}

func TestImportErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "keepalived.conf")
	if err := os.WriteFile(bad, []byte("vrrp_instance VI_1 {\n  state MASTER\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"import"}, exitUsage, "want `keepalived FILE`"},
		{[]string{"import", "haproxy", "x.cfg"}, exitUsage, "want `keepalived FILE`"},
		{[]string{"import", "keepalived", "a", "b"}, exitUsage, "want `keepalived FILE`"},
		{[]string{"import", "keepalived", "--bogus", "x"}, exitUsage, "flag provided but not defined"},
		{[]string{"import", "keepalived", filepath.Join(dir, "missing.conf")}, exitFailure, "missing.conf: no such file"},
		{[]string{"import", "keepalived", bad, "--out", filepath.Join(dir, "out")}, exitFailure, bad + ":1: '{' is never closed"},
		{[]string{"import", "keepalived", dir}, exitFailure, "not a regular file"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tt.args, &stdout, &stderr)
		if code != tt.code || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and %q", tt.args, code, stderr.String(), tt.code, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Errorf("a failed import created its --out directory")
	}
}
