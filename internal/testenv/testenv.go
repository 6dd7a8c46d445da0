// Package testenv gates the test suites that need a real environment: the
// network-namespace suites (SEESAW_NETNS=1, root, iproute2) and the real-IPVS
// suites run inside the test VM (SEESAW_VM=1). Without the variable a test is
// skipped with a message saying how to run it; with it, a missing prerequisite
// fails the test, so `make test` never passes a suite that did not run.
//
// Eventually is the one bounded poll the suites share: a wait for a
// condition that fails the test at its bound.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// RequireNetNS skips t unless SEESAW_NETNS=1; then it fails t unless the test
// runs as root and ip(8) and every named tool are on PATH.
func RequireNetNS(t testing.TB, tools ...string) {
	t.Helper()
	if os.Getenv("SEESAW_NETNS") != "1" {
		t.Skip("set SEESAW_NETNS=1 (as root) to run the network-namespace tests")
	}
	if os.Geteuid() != 0 {
		t.Fatal("SEESAW_NETNS=1 needs root to create network namespaces")
	}
	requireTools(t, "SEESAW_NETNS=1", append([]string{"ip"}, tools...))
}

// RequireVM skips t unless SEESAW_VM=1 (set inside the test VM by make
// vmtest); then it fails t unless every named tool is on PATH.
func RequireVM(t testing.TB, tools ...string) {
	t.Helper()
	if os.Getenv("SEESAW_VM") != "1" {
		t.Skip("set SEESAW_VM=1 (inside the test VM: make vmtest) to run the real-kernel tests")
	}
	requireTools(t, "SEESAW_VM=1", tools)
}

func requireTools(t testing.TB, gate string, tools []string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s needs %s: %v", gate, tool, err)
		}
	}
}
