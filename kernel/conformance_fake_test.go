package kernel_test

import (
	"testing"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

func TestConformanceFake(t *testing.T) {
	runConformance(t, func(t *testing.T) *kernel.Client {
		c, err := kerneltest.NewIPVS().Dial(kernel.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}, suiteEnv{hasScheduler: func(string) bool { return true }, syncIfname: "dummy0"})
}
