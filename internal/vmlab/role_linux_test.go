package vmlab

import (
	"strings"
	"testing"
	"time"
)

// TestStartRoleRunsTheRole: the test binary started with a role's
// variable plays the role (not the tests): it prints the ready line and a
// result Result decodes, and exits with the role's code.
func TestStartRoleRunsTheRole(t *testing.T) {
	p := StartRole(t, "", testRoleEnv, "hello role")
	if !p.WaitOutput(ReadyLine+"\n", 10*time.Second) {
		t.Fatalf("no ready line: %q", p.Output())
	}
	if !p.Wait(10 * time.Second) {
		t.Fatal("the role did not exit")
	}
	if got := p.ExitCode(); got != 7 {
		t.Errorf("exit code %d, want the role's 7; output %q", got, p.Output())
	}
	var res testResult
	if err := p.Result(&res); err != nil {
		t.Fatal(err)
	}
	if res.Value != "hello role" {
		t.Errorf("result %+v, want the variable's value", res)
	}
	if strings.Contains(p.Output(), "PASS") {
		t.Errorf("the role ran the tests too: %q", p.Output())
	}
}

// TestResultErrors: output without a result line, or with one that is not
// JSON, is an error that says what was looked for and what was found.
func TestResultErrors(t *testing.T) {
	for _, tc := range []struct{ out, want string }{
		{"nothing here", `no "RESULT " line`},
		{"RESULT {broken", `decode the result line "{broken"`},
	} {
		p := Start(t, "", nil, "echo", tc.out)
		p.Wait(10 * time.Second)
		var res testResult
		err := p.Result(&res)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("output %q: error %v, want one containing %q", tc.out, err, tc.want)
		}
	}
}
