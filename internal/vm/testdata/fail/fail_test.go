// Package fail holds a test that always fails inside the VM: selftest.sh runs
// it to prove the runner reports a failing test (it lives under testdata so
// go test ./... never sees it).
package fail

import (
	"os"
	"testing"
)

func TestFailsInVM(t *testing.T) {
	if os.Getenv("SEESAW_VM") != "1" {
		t.Skip("set SEESAW_VM=1 (runs only inside the test VM)")
	}
	t.Error("deliberate failure: the runner must report FAIL and exit 1")
}
