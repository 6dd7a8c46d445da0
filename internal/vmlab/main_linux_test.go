package vmlab

import (
	"fmt"
	"testing"
	"time"
)

// The roles this package's own test binary plays (TestStartRole*).
const (
	testRoleEnv    = "VMLAB_TEST_ROLE"    // prints ReadyLine, echoes the value as a result, exits 7
	testBackendEnv = "VMLAB_TEST_BACKEND" // BackendRole
)

func TestMain(m *testing.M) {
	Main(m, Role{Env: testRoleEnv, Run: func(v string) int {
		fmt.Println(ReadyLine)
		if err := PrintResult(testResult{Value: v}); err != nil {
			return 1
		}
		return 7
	}}, BackendRole(testBackendEnv, time.Second))
}

type testResult struct{ Value string }
