package kernel

import "testing"

func TestConformanceFake(t *testing.T) {
	runConformance(t, func(t *testing.T) *Client {
		c, err := NewFake().Dial(Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}, suiteEnv{hasScheduler: func(string) bool { return true }})
}
