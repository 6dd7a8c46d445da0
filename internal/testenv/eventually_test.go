package testenv

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestEventuallyReturnsWhenCondHolds(t *testing.T) {
	n := 0
	Eventually(t, 5*time.Second, func() bool { n++; return n == 3 }, "three polls")
	if n != 3 {
		t.Fatalf("cond called %d times, want 3 (it stops at the first true)", n)
	}
}

func TestEventuallyFailsAtTheBound(t *testing.T) {
	rec := &recorder{TB: t}
	start := time.Now()
	done := make(chan struct{})
	go func() { // Fatalf ends the goroutine it runs on, as in a test
		defer close(done)
		Eventually(rec, 20*time.Millisecond, func() bool { return false }, "check %d", 7)
	}()
	<-done
	if took := time.Since(start); took < 20*time.Millisecond {
		t.Errorf("gave up after %v, before the 20ms bound", took)
	}
	if want := "timed out after 20ms waiting for check 7"; rec.msg != want {
		t.Errorf("failure %q, want %q", rec.msg, want)
	}
}

// recorder captures a Fatalf instead of failing the test.
type recorder struct {
	testing.TB
	msg string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.msg = strings.TrimSpace(fmt.Sprintf(format, args...))
	runtime.Goexit()
}
