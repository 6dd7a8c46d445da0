package anycasttest

import (
	"os"
	"testing"
)

// The test binary is also the suite's backend server and load client: run
// with one of these variables set (inside a namespace), it plays that role
// instead of running tests.
const (
	backendEnv = "ANYCASTTEST_BACKEND" // the backend's name; serves HTTP on :80
	clientEnv  = "ANYCASTTEST_CLIENT"  // the load, as encoded by loadSpec.env
)

func TestMain(m *testing.M) {
	if name, ok := os.LookupEnv(backendEnv); ok {
		serveBackend(name)
		os.Exit(1)
	}
	if spec, ok := os.LookupEnv(clientEnv); ok {
		os.Exit(runClient(spec))
	}
	os.Exit(m.Run())
}
