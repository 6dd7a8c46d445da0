package vrrp

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/internal/netnsexec"
)

// TestLinkQueriesFollowTheLinkInNetns: the kept-socket query says up only
// while the link is administratively up with carrier, a missing or
// impossible name is no link, and every query goes on the one socket.
func TestLinkQueriesFollowTheLinkInNetns(t *testing.T) {
	requireNetns(t)
	l := newLAN(t, 1)
	port := "p0" // eth0's peer, in the hub
	var q linkQueries
	up := func() (bool, error) {
		var flags uint32
		var ok bool
		err := netnsexec.Do(l.nss[0], func() error {
			flags, ok = q.flags("eth0")
			return nil
		})
		return ok && flags&unix.IFF_UP != 0 && flags&unix.IFF_RUNNING != 0, err
	}
	check := func(want bool, when string) {
		t.Helper()
		got, err := up()
		if err != nil || got != want {
			t.Fatalf("%s: eth0 up %v (%v), want %v", when, got, err, want)
		}
	}
	check(true, "eth0 and its peer up")
	conn := q.conn
	run(t, "ip", "-n", l.hub, "link", "set", port, "down")
	check(false, "the peer down (no carrier)")
	run(t, "ip", "-n", l.hub, "link", "set", port, "up")
	check(true, "the peer up again")
	run(t, "ip", "-n", l.nss[0], "link", "set", "eth0", "down")
	check(false, "eth0 set down")
	if q.conn == nil || q.conn != conn {
		t.Fatal("the queries did not keep their socket")
	}
	err := netnsexec.Do(l.nss[0], func() error {
		for _, name := range []string{"nosuch0", "", strings.Repeat("x", 16)} {
			if _, ok := q.flags(name); ok {
				return fmt.Errorf("link %q found", name)
			}
		}
		if q.conn != conn {
			return fmt.Errorf("a missing link replaced the socket")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLinkChangesNotifiesInNetns: the subscription opened in a namespace
// signals when a link of that namespace changes, and stops with its
// context.
func TestLinkChangesNotifiesInNetns(t *testing.T) {
	requireNetns(t)
	l := newLAN(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	var ch <-chan struct{}
	if err := netnsexec.Do(l.nss[0], func() error { ch = linkChanges(ctx); return nil }); err != nil || ch == nil {
		t.Fatalf("subscribe: %v, channel %v", err, ch)
	}
	run(t, "ip", "-n", l.nss[0], "link", "set", "eth0", "down")
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("no notification after eth0 went down")
	}
	cancel()
	time.Sleep(100 * time.Millisecond)
	for len(ch) > 0 {
		<-ch
	}
	run(t, "ip", "-n", l.nss[0], "link", "set", "eth0", "up")
	select {
	case <-ch:
		t.Fatal("a notification after the context ended")
	case <-time.After(300 * time.Millisecond):
	}
}
