package reconcile

import "time"

// Backoff is the retry delay after failed rounds: Min doubling per
// consecutive failure up to Max.
type Backoff struct {
	Min, Max time.Duration
}

// DefaultBackoff retries fast at first and settles at 30 s.
var DefaultBackoff = Backoff{Min: 100 * time.Millisecond, Max: 30 * time.Second}

// Delay returns the wait after the n-th consecutive failure (n >= 1).
func (b Backoff) Delay(n int) time.Duration {
	d := b.Min
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}
