// Package daemon is the seesaw-reconcile daemon: it keeps the kernel's IPVS
// tables and VIP addresses equal to the configuration directory while
// health checks, VRRP mastership and manual drains change what "equal"
// means, and it reports what it does over a control socket, Prometheus
// metrics and a status page.
//
// # Entry points
//
// [Run] runs the daemon until its context ends; [RunWithSignals] is Run
// stopped by SIGTERM or SIGINT and reloaded by SIGHUP, as the command's
// `run` uses it. [Options] says where the configuration lives and where
// the listeners go:
//
//	err := daemon.RunWithSignals(daemon.Options{
//		ConfigDir: "/etc/seesaw",
//		Resync:    30 * time.Second,
//		Log:       slog.New(slog.NewJSONHandler(os.Stderr, nil)),
//	})
//
// [Client] is the other end of the control socket: [Client.Status] returns
// the [StatusReport] that `seesaw-reconcile status` renders and the status
// page's /status.json serves; [Client.Drain], [Client.Enable] and
// [Client.Failover] change the running daemon. [Client.PlanInputs] returns
// the inputs of its next round ([PlanInputs.Inputs] turns them into the
// reconcile.Inputs of the files on disk: `seesaw-reconcile plan`), and
// [Client.Apply] makes it reload and waits for the round that applies the
// files (`seesaw-reconcile apply`).
//
// # Parts and data flow
//
// Every part runs under one errgroup (serve, daemon.go):
//
//   - reload.go: the config watcher pokes the reloader, which loads the
//     directory with desired.Loader (only changed files are reparsed).
//   - wiring.go: a valid config, with the manual drains of overrides.go
//     applied, goes first to the checks engine (checkmap.go maps services ×
//     checks × backends onto engine checks) and then to the reconcile loop.
//     Check state changes become the loop's health (a backend is up when
//     all its checks are); VRRP events become its mastership (vrrpmap.go).
//   - rounds.go: after every round the loop hands its status to onRound,
//     which feeds the parts that follow rounds: the check-service marks of
//     dsr/tunnel checks (followMarks rebuilds the checks when they change),
//     the tracked services' VRRP priority penalty (track), and readiness
//     (notify.go sends READY=1 to systemd after the first round).
//   - control.go, metrics.go, metrics_server.go, statuspage.go, report.go:
//     the control socket, /metrics and the status page read snapshots of
//     the loop, the engine and the VRRP node; report.go builds the status
//     model, with each backend's effective weight and reason taken from
//     the last round's target (reconcile.Status.Target). The control
//     socket is created in control_listen.go (final mode before it is
//     reachable); control_access.go and control_peer.go log each
//     state-changing command with the caller's credentials and admit root,
//     the daemon's user and Options.ControlGroup.
//   - control_plan.go, control_apply.go, control_rounds.go: GET
//     /plan-inputs takes the loop's next-round inputs on its goroutine
//     (reconcile.Loop.Next); POST /apply sends a full reload to the
//     reloader, takes the generation and round number with Loop.Next and
//     waits for that round's status (roundLog, fed by onRound).
//
// # Invariants
//
//   - A config goes into force only when valid and accepted by the checks
//     engine (an unreadable CA bundle is rejected there); otherwise it is
//     reported (config_error, seesaw_config_reloads_total{result="failure"})
//     and the last valid config keeps running.
//   - The VRRP node, the control socket path and the metrics address come
//     from the first valid config; a later change of the vrrp section is
//     logged and needs a restart.
//   - Manual drains are saved in overrides.json in the state directory
//     (Options.StateDir; overridesStore.path) before they take effect, so
//     they survive a restart: durably (internal/statefile), one change at a
//     time (the store's lock, taken before w.mu), and read back; the config
//     directory is never written. An old .seesaw-overrides.json in the
//     config directory is moved there once (overrides_migrate.go).
//   - The traffic counters for /metrics and the status report come from one
//     dump on a kernel socket of their own (traffic.go), shared by requests
//     within a second, and are written as text straight from it
//     (metrics_traffic.go).
//   - Health survives a restart through the kernel: the table read at start
//     (adopt.go, reconcile.AdoptedHealth) makes the checks of backends it
//     holds drained start down, and those backends stay unhealthy until
//     their checks rise; a restart with healthy backends changes nothing.
//   - Nothing that holds w.mu waits for a round: the loop's inputs never
//     block, so status, control, metrics and VRRP events go on while a
//     round is stuck in the kernel.
//   - What degrades instead of stopping: the metrics listener and the
//     control socket retry with backoff (keepserving.go) and an unreadable
//     overrides file is ignored, each reported in degraded.go (log, the
//     status report's "degraded", seesaw_degraded); without rtnetlink the
//     VIP addresses are left alone (logged); a dsr/tunnel check without its
//     mark yet leaves its backend's health unknown until a round assigns
//     the mark.
//   - Any other part failing (the loop, the kernel, the checks engine, the
//     VRRP node, the watcher, or a second daemon on the control socket)
//     stops every part and Run returns its error.
//     When the context ends (SIGTERM), the checks and the reloader stop; a
//     VRRP master leaves mastership (release.go: the loop removes the VIPs,
//     at most releaseBound, then the node sends priority 0 while its live
//     connections go to the peer's backup sync daemon beside it
//     (connsync_handoff.go; the process waits for that handoff, at most
//     handoffExitBound, before it exits); both sync-daemon roles keep
//     running); the loop returns after the VRRP
//     node without touching IPVS, the listeners close and the control
//     socket file is removed, so a restart finds nothing to do in IPVS. A
//     standalone node keeps its VIPs.
//   - Leaving mastership for any reason (stop, step-down, preemption)
//     removes the VIPs before the node's last advert, never after.
//   - onRound runs on the loop's goroutine and never blocks: each follower
//     reads the latest round's status, not necessarily every round.
package daemon
