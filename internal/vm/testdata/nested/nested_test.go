// Package vmnested is a module nested in the repository, as the IPVS peer
// benchmarks are: selftest.sh proves the runner builds and runs its tests
// (from the module's own directory) with their testdata.
package vmnested

import (
	"os"
	"testing"
)

func TestNestedModuleInVM(t *testing.T) {
	if os.Getenv("SEESAW_VM") != "1" {
		t.Skip("set SEESAW_VM=1 (runs only inside the test VM)")
	}
	if _, err := os.Stat("/proc/net/ip_vs"); err != nil {
		t.Errorf("ip_vs is not loaded: %v", err)
	}
	got, err := os.ReadFile("testdata/want.txt")
	if err != nil {
		t.Fatalf("read the package's testdata from the working directory: %v", err)
	}
	if string(got) != "testdata reached the VM\n" {
		t.Errorf("testdata/want.txt = %q", got)
	}
	if err := os.WriteFile("scratch", []byte("x"), 0o644); err != nil {
		t.Errorf("working directory is not writable: %v", err)
	}
}
