package vrrp_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/seesaw-lb/seesaw/vrrp"
)

// A Machine is fed the time and the adverts it receives, and says what to
// do: here a backup hears a master, stops hearing it, takes over, and hands
// back when a higher-priority router speaks again.
func ExampleMachine() {
	m := vrrp.NewMachine(vrrp.Params{
		VRID: 7, Priority: 100, Interval: 100, Preempt: true, // Interval in centiseconds: 1 s
		Primary: netip.MustParseAddr("192.0.2.11"),
		Addrs:   []netip.Addr{netip.MustParseAddr("192.0.2.100")},
	})
	show := func(event string, a vrrp.Actions) {
		fmt.Printf("%-22s state %-6s", event, m.State())
		if a.Changed {
			fmt.Printf(" changed (%s)", a.Reason)
		}
		if a.Send {
			fmt.Printf(" send priority %d", a.SendPriority)
		}
		fmt.Println()
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	master := netip.MustParseAddr("192.0.2.12")
	advert := vrrp.Advert{VRID: 7, Priority: 200, Interval: 100, Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.100")}}

	show("start", m.Start(t0))
	show("advert from .12", m.Receive(t0.Add(500*time.Millisecond), master, advert))
	fmt.Println("master down after", m.MasterDownInterval())
	show("tick at deadline", m.Tick(m.Deadline()))
	show("advert from .12", m.Receive(m.Deadline().Add(-10*time.Millisecond), master, advert))
	// Output:
	// start                  state backup changed (startup)
	// advert from .12        state backup
	// master down after 3.609375s
	// tick at deadline       state master changed (master-down) send priority 100
	// advert from .12        state backup changed (higher-priority) send priority 0
}
