package testenv

import (
	"fmt"
	"testing"
	"time"
)

// Eventually polls cond until it holds, and fails t if it does not hold
// within timeout: a bound on a wait, not a timing assertion. The failure
// reads "timed out after <timeout> waiting for " and the formatted what.
// The poll interval is a thousandth of timeout, between 1 and 50 ms.
func Eventually(t testing.TB, timeout time.Duration, cond func() bool, what string, args ...any) {
	t.Helper()
	every := min(max(timeout/1000, time.Millisecond), 50*time.Millisecond)
	for deadline := time.Now().Add(timeout); ; time.Sleep(every) {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, fmt.Sprintf(what, args...))
		}
	}
}
