package smoke

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// requireVM skips the test outside the test VM: it changes the kernel's IPVS
// table and network namespaces, which only the VM may.
func requireVM(t testing.TB) {
	t.Helper()
	testenv.RequireVM(t)
}

// run runs a command and fails the test with its output if it fails.
func run(t testing.TB, stdin string, name string, args ...string) string {
	t.Helper()
	out, err := runErr(stdin, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// runErr runs a command and returns its combined output.
func runErr(stdin string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.String(), err
}

// clearIPVS empties the IPVS table now and when the test ends.
func clearIPVS(t testing.TB) {
	t.Helper()
	run(t, "", "ipvsadm", "-C")
	t.Cleanup(func() { _, _ = runErr("", "ipvsadm", "-C") })
}
