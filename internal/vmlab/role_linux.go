//go:build linux

package vmlab

import (
	"os"
	"testing"
)

// Role is one part the test binary can play instead of running its tests
// (a backend, a load client): when the environment variable Env is set,
// Main calls Run with its value and exits with the code Run returns.
type Role struct {
	Env string
	Run func(value string) int
}

// Main is a suite's TestMain: it plays the first of roles whose variable
// is set and exits with its code; with none set it runs m's tests and
// exits with their code. It never returns.
func Main(m *testing.M, roles ...Role) {
	for _, r := range roles {
		if v, ok := os.LookupEnv(r.Env); ok {
			os.Exit(r.Run(v))
		}
	}
	os.Exit(m.Run())
}

// StartRole starts the test binary itself in namespace ns with env set to
// value, so that Main plays the role of that variable there instead of
// running the tests. The process is a Proc as Start gives it.
func StartRole(t testing.TB, ns, env, value string) *Proc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("find the test binary to run as %s in namespace %q: %v", env, ns, err)
	}
	return Start(t, ns, []string{env + "=" + value}, exe, "-test.run=^$")
}
