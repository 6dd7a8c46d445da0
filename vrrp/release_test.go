package vrrp

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// orderConn records, in one log with the release hook, every advert sent.
type orderConn struct {
	*memConn
	log *orderLog
}

type orderLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *orderLog) add(s string) {
	l.mu.Lock()
	l.lines = append(l.lines, s)
	l.mu.Unlock()
}

func (l *orderLog) since(i int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines[i:])
}

func (l *orderLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

func (c orderConn) Send(a Advert) error {
	c.log.add(fmt.Sprintf("advert %d", a.Priority))
	return c.memConn.Send(a)
}

// releaseNode starts a node alone on a segment, with a release hook that
// logs the state it sees, and waits for it to be Master.
func releaseNode(t *testing.T, ctx context.Context) (*Node, *orderLog, chan error) {
	t.Helper()
	cfg := testConfig(100)
	cfg.AdvertInterval = 10 * time.Millisecond
	log := &orderLog{}
	n, err := NewNode(cfg, orderConn{(&segment{}).attach("192.0.2.11"), log}, SystemClock{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n.SetRelease(func() { log.add("release in " + n.State().String()) })
	errc := make(chan error, 1)
	go func() { errc <- n.Run(ctx) }()
	go func() {
		for range n.Events() {
		}
	}()
	waitFor(t, func() bool { return n.State() == Master })
	return n, log, errc
}

// TestReleaseBeforePriorityZero: a Master that shuts down or steps down
// runs its release hook, no longer Master, before its priority-0 advert.
func TestReleaseBeforePriorityZero(t *testing.T) {
	t.Run("shutdown", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		_, log, errc := releaseNode(t, ctx)
		from := log.len()
		cancel()
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		if got, want := log.since(from), []string{"release in initialize", "advert 0"}; !slices.Equal(got, want) {
			t.Errorf("after shutdown %q, want %q", got, want)
		}
	})
	t.Run("step-down", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		n, log, errc := releaseNode(t, ctx)
		from := log.len()
		if err := n.StepDown(); err != nil {
			t.Fatal(err)
		}
		got := log.since(from)       // StepDown returns after the advert is sent
		got = got[:min(2, len(got))] // later, alone, it becomes Master again
		cancel()
		<-errc
		if want := []string{"release in backup", "advert 0"}; !slices.Equal(got, want) {
			t.Errorf("after step-down %q, want %q", got, want)
		}
	})
}
