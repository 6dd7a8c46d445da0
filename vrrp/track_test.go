package vrrp

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestLinkPenalty(t *testing.T) {
	tracks := []TrackInterface{{Name: "eth1", Penalty: 30}, {Name: "eth2", Penalty: 50}}
	cases := []struct {
		down []string
		want int
	}{{nil, 0}, {[]string{"eth1"}, 30}, {[]string{"eth2"}, 50}, {[]string{"eth1", "eth2"}, 80}}
	for _, c := range cases {
		up := func(name string) bool {
			for _, d := range c.down {
				if d == name {
					return false
				}
			}
			return true
		}
		if got := linkPenalty(tracks, up); got != c.want {
			t.Errorf("down %v: penalty %d, want %d", c.down, got, c.want)
		}
	}
}

func TestTrackLinksReportsChanges(t *testing.T) {
	var eth1Up atomic.Bool
	eth1Up.Store(true)
	out := make(chan int)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go trackLinks(ctx, []TrackInterface{{Name: "eth1", Penalty: 30}}, func(string) bool { return eth1Up.Load() }, out)
	recv := func() int {
		select {
		case p := <-out:
			return p
		case <-time.After(5 * time.Second):
			t.Fatal("no penalty report within 5s")
			return -1
		}
	}
	if p := recv(); p != 0 {
		t.Fatalf("initial penalty %d", p)
	}
	eth1Up.Store(false)
	if p := recv(); p != 30 {
		t.Fatalf("penalty after link down %d, want 30", p)
	}
}
