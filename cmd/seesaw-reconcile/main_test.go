package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/internal/testconfig"
)

// writeConfig writes files into a new directory.
func writeConfig(t *testing.T, files map[string]string) string {
	t.Helper()
	return testconfig.Dir(t, files)
}

// TestCLI runs the command in-process and checks exit codes and output.
func TestCLI(t *testing.T) {
	valid := writeConfig(t, map[string]string{
		"node.yaml": "node: {name: lb1, interface: eth1}\n",
		"web.yaml": "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n" +
			"    checks: [{type: tcp}, {type: icmp}]\n    backends: [{address: 198.51.100.1}, {address: 198.51.100.2}]\n"})
	invalid := writeConfig(t, map[string]string{
		"node.yaml": "node: {name: lb1, interface: eth1}\n",
		"web.yaml":  "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 70000}]\n    backends: [{address: 198.51.100.300}]\n"})
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // exact when it ends with "\n", else a substring
		stderr string
	}{
		{"help", []string{"--help"}, 0, "Usage: seesaw-reconcile [flags] COMMAND", ""},
		{"short help", []string{"-h"}, 0, "validate   check a configuration directory", ""},
		{"help command", []string{"help"}, 0, "Exit codes: 0 success, 1 failure, 2 usage error.", ""},
		{"version flag", []string{"--version"}, 0, "seesaw-reconcile ", ""},
		{"version command", []string{"version"}, 0, "seesaw-reconcile ", ""},
		{"no command", nil, 2, "", "seesaw-reconcile: no command given"},
		{"unknown command", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"unknown flag", []string{"--frob"}, 2, "", "flag provided but not defined: -frob"},
		{"valid", []string{"validate", "--config-dir", valid}, 0,
			valid + ": valid: node lb1, 2 files, 1 service, 2 backends, 2 checks\n", ""},
		{"invalid", []string{"validate", "--config-dir", invalid}, 1, "",
			"web.yaml:4:32: services[0].ports[0].port: 70000 is out of range 1..65535\n" +
				`web.yaml:5:26: services[0].backends[0].address: "198.51.100.300" is not an IP address` + "\n" +
				invalid + ": invalid: 2 errors\n"},
		{"missing dir", []string{"validate", "--config-dir", filepath.Join(valid, "nope")}, 1, "", "no such file or directory"},
		{"validate help", []string{"validate", "-h"}, 0, "Usage: seesaw-reconcile validate [--config-dir DIR]", ""},
		{"validate extra arg", []string{"validate", "--config-dir", valid, "extra"}, 2, "", `unexpected argument "extra"`},
		{"validate bad flag", []string{"validate", "--dir", valid}, 2, "", "flag provided but not defined: -dir"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, &stdout, &stderr)
			}
			check(t, "stdout", stdout.String(), tc.stdout)
			check(t, "stderr", stderr.String(), tc.stderr)
		})
	}
}

// check compares output: exactly when want ends with a newline, else as a
// substring; an empty want requires empty output.
func check(t *testing.T, what, got, want string) {
	t.Helper()
	switch {
	case want == "" && got != "":
		t.Errorf("%s = %q, want nothing", what, got)
	case strings.HasSuffix(want, "\n") && got != want:
		t.Errorf("%s:\n%s\nwant:\n%s", what, got, want)
	case !strings.Contains(got, want):
		t.Errorf("%s = %q, want it to contain %q", what, got, want)
	}
}
