package gcpolicy

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestApply runs a copy of the test binary with and without GOGC set:
// unset, Apply sets Percent; set, the operator's value stays.
func TestApply(t *testing.T) {
	if os.Getenv("GCPOLICY_CHILD") != "" {
		t.Logf("GOGC in effect: %d", Apply())
		return
	}
	for _, c := range []struct {
		env  []string
		want int
	}{{nil, Percent}, {[]string{"GOGC=150"}, 150}, {[]string{"GOGC=off"}, -1}} {
		env := []string{"GCPOLICY_CHILD=1"}
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "GOGC=") {
				env = append(env, kv)
			}
		}
		cmd := exec.Command(os.Args[0], "-test.run", "^TestApply$", "-test.v")
		cmd.Env = append(env, c.env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", c.env, err, out)
		}
		if !strings.Contains(string(out), "GOGC in effect: "+strconv.Itoa(c.want)+"\n") {
			t.Errorf("%v: want GOGC %d in effect:\n%s", c.env, c.want, out)
		}
	}
}
