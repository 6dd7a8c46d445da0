// Package vmlab holds the parts the VM traffic suites (internal/hatest,
// make hatest; internal/anycasttest, make anycasttest) share to build a
// lab of network namespaces inside the test VM and run programs in it.
// Each suite keeps its own topology, configs, load and scenarios; this
// package has only what is the same logic in both.
//
// Where to start:
//
//   - Namespace, Bridge and Attach build the lab: namespaces with their
//     loopback up, a bridge in the root namespace, and a veth pair that
//     puts eth0 of a namespace on the bridge. Everything is removed when
//     the test ends. Run, InNS and Sysctls run the commands that address
//     and route it; SetLinkUp pulls or puts back a namespace's cable
//     without starting a process.
//   - Start runs a program in a namespace (`ip netns exec`, so the pid is
//     the program's own) as a Proc: its own process group, killed with it
//     when the test ends or the test process dies, its output kept.
//   - Main and Role let the test binary be the lab's backends and load
//     client: a suite's TestMain calls Main, and StartRole re-executes the
//     test binary in a namespace in one role. BackendRole is the HTTP
//     backend (Backend); a suite's client prints ReadyLine when its load
//     starts and PrintResult at its end, which Proc.WaitOutput and
//     Proc.Result read.
//   - Daemon is seesaw-reconcile run in a namespace, restartable, with the
//     logs of every run kept.
//
// A suite's TestMain:
//
//	func TestMain(m *testing.M) {
//		vmlab.Main(m,
//			vmlab.BackendRole("HATEST_BACKEND", 10*time.Second),
//			vmlab.Role{Env: "HATEST_CLIENT", Run: runClient})
//	}
//
// and a test that starts a backend and a client in their namespaces:
//
//	vmlab.StartRole(t, "ha-be1", "HATEST_BACKEND", "be1")
//	client := vmlab.StartRole(t, "ha-client", "HATEST_CLIENT", spec)
//	if !client.WaitOutput(vmlab.ReadyLine+"\n", 20*time.Second) { ... }
//
// Invariants a change must keep: every process starts through
// netnsexec.StartHeld (a child's Pdeathsig follows the thread that forked
// it, and a lab process must never outlive the test binary); Kill reaches
// the whole process group (keepalived's VRRP and checker children); every
// namespace, bridge and veth a helper creates is removed by t.Cleanup; a
// helper that cannot do its work fails the test with what it did to what,
// it never panics.
//
// The package is Linux-only: on other systems it holds only this
// documentation, so that the module still builds there.
package vmlab
