// Package vrrp implements a VRRPv3 (RFC 9568) node, IPv4 and IPv6, that
// decides which load balancer holds the VIPs. The daemon acts on its events
// (adds or removes the VIPs); this package only speaks the protocol. It
// imports no other project package.
//
// # Entry points
//
// Machine is the protocol: the RFC 9568 section 6.4 state machine, sans I/O.
// Its methods take the time and an event (Start, Receive, Tick, Shutdown,
// StepDown, SetPenalty) and return Actions: send an advert with a priority,
// or a transition and its Reason. Deadline says when to call Tick next.
// ParseAdvert and Advert.AppendMarshal are the wire format.
//
// Node runs one Machine for one virtual router: Listen opens the raw socket
// (a Conn; Linux only, elsewhere it returns an error wrapping
// errors.ErrUnsupported), NewNode checks the Config and Run drives the
// machine with the Conn, a Clock and the tracked interfaces:
//
//	conn, err := vrrp.Listen(cfg)
//	node, err := vrrp.NewNode(cfg, conn, vrrp.SystemClock{}, logger)
//	node.SetRelease(dropVIPs)             // runs before a Master's last advert
//	go node.Run(ctx)                      // ctx done: graceful shutdown
//	for ev := range node.Events() { ... } // Backup -> Master: add the VIPs
//	node.StepDown()                       // manual failover
//
// # Invariants
//
//   - Machine does no I/O and reads no clock: the same events at the same
//     times give the same actions, which the tests replay step by step.
//   - Every received packet passes the section 7.1 checks (the filter in
//     filter.go) before it reaches the Machine; a dropped packet is counted
//     by DropReason and never changes the state.
//   - A Master that stops (Shutdown, ctx done, StepDown) sends priority 0 so
//     a backup takes over within Skew_Time instead of Master_Down_Interval.
//   - A Master that leaves mastership runs the release hook (SetRelease)
//     after State stops saying Master and before it sends anything more, so
//     the VIPs can be gone before the backup hears priority 0.
//   - Nothing between the timing thread's wake-up and its sendmsg
//     allocates, takes a lock or waits for the netpoller or the timer
//     heap (thread_linux.go); a Backup handles every advert already
//     received before its Master_Down_Timer may make it Master (settle.go).
//   - The advert sender process (sender_child_linux.go) allocates nothing
//     after its setup (its garbage collector is off), repeats an advert
//     for at most leaseIntervals intervals past the last one the node
//     handed it, never advertises after the node left mastership (Cancel,
//     or a priority-0 advert, which is the last it sends), and exits with
//     the node (stop, or its death signal).
//   - Events never loses the latest state: a consumer 64 events behind
//     has the newest replace the last pending one (Stats.EventsCoalesced),
//     so the last event it takes is Node.State.
//
// docs/vrrp.md describes the protocol choices, keepalived interop and the
// four advert timing paths (kernel-timed, the advert sender process, the
// timing thread, the runtime's timer).
package vrrp
