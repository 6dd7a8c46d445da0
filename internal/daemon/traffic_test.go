package daemon

import (
	"testing"
	"time"
)

// TestTrafficFresh: a read serves requests for a second, or for twenty
// times what it took when that is longer, so reading counters costs at
// most 5 % of the time however large the table.
func TestTrafficFresh(t *testing.T) {
	for _, c := range []struct {
		age, took time.Duration
		want      bool
	}{
		{0, time.Millisecond, true},
		{999 * time.Millisecond, time.Millisecond, true},
		{time.Second, time.Millisecond, false},
		{10 * time.Second, time.Second, true},
		{19 * time.Second, time.Second, true},
		{20 * time.Second, time.Second, false},
	} {
		if got := trafficFresh(c.age, c.took); got != c.want {
			t.Errorf("trafficFresh(age %v, took %v) = %v, want %v", c.age, c.took, got, c.want)
		}
	}
}
