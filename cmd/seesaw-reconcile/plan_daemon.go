package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/internal/daemon"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// inputSource says whose state a plan used: the running daemon's inputs,
// or none (and why).
type inputSource struct {
	daemon *daemon.PlanInputs
	// why is the reason no daemon's state was used.
	why    string
	master bool
}

// describe is the plan's first line.
func (s inputSource) describe() string {
	if s.daemon != nil {
		return s.daemon.Describe()
	}
	role := "master"
	if !s.master {
		role = "backup"
	}
	return fmt.Sprintf("%s: planned as %s, every backend healthy or as its checks start, nothing drained by hand", s.why, role)
}

// held are the VIPs the daemon holds (it owns them), none without one.
func (s inputSource) held() []reconcile.Address {
	if s.daemon == nil {
		return nil
	}
	return s.daemon.Held
}

// socketOf is the control socket to ask: --socket when given, else the
// config's node.control_socket when it names another path than the
// default, else --socket's default.
func socketOf(pf planFlags, cfg desired.Config) string {
	if !pf.socketSet && cfg.Node.ControlSocket != "" && cfg.Node.ControlSocket != desired.DefaultControlSocket {
		return cfg.Node.ControlSocket
	}
	return pf.socket
}

// planInputs returns the inputs plan and apply --once compute with: the
// running daemon's, for cfg, when it answers on pf.socket; else the
// flags' (mastership from --backup, health unknown, nothing drained). A
// daemon that is there but cannot be asked (permission denied) is a
// warning on stderr, and the plan goes on without its state.
func planInputs(d deps, pf planFlags, cfg desired.Config, stderr io.Writer) (reconcile.Inputs, inputSource) {
	plain := reconcile.Inputs{Config: cfg, Master: !pf.backup, Now: d.now(), AllowMassDelete: pf.allowDelete}
	if pf.withoutDaemon {
		why := "--without-daemon"
		if pf.ipvsOnly {
			why = "apply --once, no daemon running"
		}
		return plain, inputSource{why: why, master: plain.Master}
	}
	pf.socket = socketOf(pf, cfg)
	pi, err := daemon.NewClient(pf.socket).PlanInputs()
	switch {
	case errors.Is(err, daemon.ErrNoDaemon):
		return plain, inputSource{why: "no daemon answered on " + pf.socket, master: plain.Master}
	case err != nil:
		fmt.Fprintf(stderr, "warning: could not ask the daemon for its state: %v\n", err)
		return plain, inputSource{why: "the daemon on " + pf.socket + " could not be asked", master: plain.Master}
	case !pi.HaveConfig:
		return plain, inputSource{why: "the daemon on " + pf.socket + " has no valid configuration yet", master: plain.Master}
	}
	in := pi.Inputs(cfg)
	in.AllowMassDelete = in.AllowMassDelete || pf.allowDelete
	return in, inputSource{daemon: &pi, master: in.HoldsAny()}
}
