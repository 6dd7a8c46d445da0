package reconcile

import (
	"context"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testenv"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

func TestLoopInputsDoNotWaitForAStuckKernel(t *testing.T) {
	f := kerneltest.NewIPVS()
	c, err := f.Dial(kernel.Options{Timeout: -1}) // stuck until Resume
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	l := NewLoop(LoopOptions{Kernel: c})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx, time.Hour) }()
	defer func() {
		f.Resume()
		cancel()
		<-done
	}()

	cfg := services(t, webYAML)
	f.Stall()
	l.SetConfig(cfg)
	testenv.Eventually(t, 10*time.Second, func() bool { return f.Stalled() > 0 }, "the round to wait for the kernel")

	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for i := range 1000 { // far more than any queue would hold
			l.SetHealth(Health{})
			l.SetMaster(i%2 == 0)
			l.SetConfig(cfg)
			l.ConfigError(context.Canceled)
			l.Resync()
			_ = l.Status()
		}
		l.SetMaster(false)
	}()
	select {
	case <-sent:
	case <-time.After(10 * time.Second): // a bound, not a timing assertion
		t.Fatal("inputs and Status blocked while a round was stuck in the kernel")
	}

	f.Resume()
	testenv.Eventually(t, 10*time.Second, func() bool {
		st := l.Status()
		return st.Rounds >= 2 && !st.Master && st.Generation == 1001 && st.ConfigError == context.Canceled.Error()
	}, "a round with the latest inputs after the kernel answers")
}
