package vrrp

import (
	"testing"
	"time"
)

func TestParseCyclictest(t *testing.T) {
	out := []byte("WARN: not setting cpu_dma_latency to save battery power\nMax CPUs = 2\nOnline CPUs = 2\n" +
		"Thread 0 Interval: 100000\n       0:       0:     138\n       0:       1:    1031\n       1:       0:      99\n" +
		"       0:       2:     125\n")
	lats, err := parseCyclictest(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{138 * time.Microsecond, 1031 * time.Microsecond, 125 * time.Microsecond}
	if len(lats) != len(want) {
		t.Fatalf("parsed %v, want %v", lats, want)
	}
	for i := range want {
		if lats[i] != want[i] {
			t.Fatalf("parsed %v, want %v", lats, want)
		}
	}
	if _, err := parseCyclictest([]byte("       0:       0:     1\n       0:       2:     1\n")); err == nil {
		t.Fatal("a missing wake-up was not reported")
	}
}

func TestParseCyclictestHistogram(t *testing.T) {
	out := []byte("WARN: not setting cpu_dma_latency to save battery power\n# Histogram\n000000 000000\n000001 000005\n" +
		"000002 000003\n000003 000001\n# Total: 000000010\n# Min Latencies: 00001\n# Avg Latencies: 00002\n" +
		"# Max Latencies: 00950\n# Histogram Overflows: 00001\n# Histogram Overflow at cycle number:\n# Thread 0: 7\n")
	h, err := parseCyclictestHistogram(out)
	if err != nil {
		t.Fatal(err)
	}
	if h.total() != 10 || h.Overflows != 1 || h.Max != 950*time.Microsecond {
		t.Fatalf("total %d, overflows %d, max %v; want 10, 1, 950µs", h.total(), h.Overflows, h.Max)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
		ok   bool
	}{{0.5, time.Microsecond, true}, {0.8, 2 * time.Microsecond, true}, {0.9, 3 * time.Microsecond, true}, {0.95, 0, false}} {
		got, ok := h.quantile(c.q)
		if got != c.want || ok != c.ok {
			t.Errorf("quantile(%v) = %v, %v; want %v, %v", c.q, got, ok, c.want, c.ok)
		}
	}
	if _, err := parseCyclictestHistogram([]byte("000000 000001\n000002 000001\n# Max Latencies: 00002\n")); err == nil {
		t.Error("a missing bin was not reported")
	}
	if _, err := parseCyclictestHistogram([]byte("WARN: nothing\n")); err == nil {
		t.Error("output without a histogram was not reported")
	}
}
