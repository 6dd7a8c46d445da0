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
