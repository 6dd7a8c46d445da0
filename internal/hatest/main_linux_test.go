package hatest

import (
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/vmlab"
)

// The test binary is also the suite's backend server and load client: run
// with one of these variables set (inside a namespace), it plays that role
// instead of running tests.
const (
	backendEnv = "HATEST_BACKEND" // the backend's name; serves HTTP and streams on :80
	clientEnv  = "HATEST_CLIENT"  // the load, as encoded by loadSpec.encode
)

func TestMain(m *testing.M) {
	vmlab.Main(m, vmlab.BackendRole(backendEnv, 10*time.Second), vmlab.Role{Env: clientEnv, Run: runClient})
}
