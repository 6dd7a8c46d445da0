// Package hooks runs the operator's notify programs (node.notify) on the
// daemon's events: VRRP state changes and services crossing their
// watermarks.
//
// A Runner holds one serial queue per hook. Notify puts an event on the
// queue of every hook that wants it and returns at once: the daemon is
// never blocked by a hook, however slow. Each hook's worker runs its
// program once per event, one run at a time (two runs of the same hook
// never overlap), without a shell, with a clean environment that carries
// the event (SEESAW_EVENT, SEESAW_STATE, ...; see Env). A run that outlives
// its timeout has its process group sent SIGTERM and, after a grace
// period, SIGKILL. Output (stdout and stderr together, bounded) is logged
// with the hook's name, the event, the exit code and the duration; Stats
// counts the results and the events dropped.
//
//	r := hooks.New(hooks.Options{Log: log})
//	r.Update([]hooks.Hook{{Name: "page", On: []string{"master"}, Run: []string{"/usr/local/bin/page"}, Timeout: 10 * time.Second}})
//	r.Notify(hooks.Event{Kind: "master", Node: "lb1", Instance: "default", State: "master", PreviousState: "backup", Time: time.Now()})
//	...
//	r.Close(ctx) // runs the queued "stop" events, then returns
//
// Invariants a change must keep:
//   - Notify never blocks on a run: it takes one mutex held only for queue
//     operations. A full queue drops its oldest event (counted), because
//     for state changes the latest one is what matters.
//   - At most one process per hook is running at any time, across Update
//     (a hook removed and added back waits for the old run to end).
//   - Every run ends: the timeout, then SIGKILL to the whole group, then
//     Go's WaitDelay for pipes a stray child holds open.
//   - The queueing (queue.go) is pure; process I/O is in exec.go and the
//     per-OS process-group files.
package hooks
