package reconcile

import (
	"context"
	"errors"
	"slices"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// SyncDaemons controls the IPVS connection-sync daemons (*kernel.Client
// satisfies it).
type SyncDaemons interface {
	Daemons(ctx context.Context) ([]kernel.Daemon, error)
	NewDaemon(ctx context.Context, d kernel.Daemon) error
	DelDaemon(ctx context.Context, s kernel.DaemonState) error
}

// wantDaemons returns the sync daemons a VRRP node runs: both roles, on
// the master and on a backup alike. The master role sends the state of the
// connections this node forwards (none while it holds no VIP); the backup
// role receives the peer's. With both always running, a change of
// mastership stops neither, so the connections the old master had not yet
// sent (the kernel batches them for up to 2 s, and drops a stopped master
// role's unsent batch) still reach the new master, and a takeover never
// waits for a daemon to start. ok is false when the config has no
// sync_daemon: the daemons are then left alone.
func wantDaemons(cfg desired.Config) (d []kernel.Daemon, ok bool) {
	v, ok := cfg.Node.SyncDaemonInstance()
	if !ok {
		return nil, false
	}
	sd := v.SyncDaemon
	base := kernel.Daemon{Interface: sd.Interface, SyncID: uint32(sd.SyncID),
		MaxLen: sd.MaxLen, Group: sd.Group, Port: sd.Port, TTL: sd.TTL}
	master, backup := base, base
	master.State, backup.State = kernel.DaemonMaster, kernel.DaemonBackup
	return []kernel.Daemon{master, backup}, true
}

// daemonMatches compares a running daemon with the wanted one; settings the
// config leaves to the kernel (zero) match whatever the kernel chose.
func daemonMatches(live, want kernel.Daemon) bool {
	return live.State == want.State && live.Interface == want.Interface && live.SyncID == want.SyncID &&
		(want.MaxLen == 0 || live.MaxLen == want.MaxLen) && (!want.Group.IsValid() || live.Group == want.Group) &&
		(want.Port == 0 || live.Port == want.Port) && (want.TTL == 0 || live.TTL == want.TTL)
}

// planDaemons returns the roles to stop and the daemons to start so that
// exactly want runs: a role that differs from its wanted daemon is
// restarted, one that is not wanted stopped.
func planDaemons(live []kernel.Daemon, want []kernel.Daemon) (stop []kernel.DaemonState, start []kernel.Daemon) {
	for _, w := range want {
		running := false
		for _, d := range live {
			if d.State != w.State {
				continue
			}
			if daemonMatches(d, w) {
				running = true
			} else {
				stop = append(stop, d.State)
			}
		}
		if !running {
			start = append(start, w)
		}
	}
	for _, d := range live {
		if !slices.ContainsFunc(want, func(w kernel.Daemon) bool { return w.State == d.State }) {
			stop = append(stop, d.State)
		}
	}
	return stop, start
}

// syncDaemons makes the kernel run exactly the wanted sync daemons.
func syncDaemons(ctx context.Context, sd SyncDaemons, cfg desired.Config) error {
	want, ok := wantDaemons(cfg)
	if !ok {
		return nil
	}
	live, err := sd.Daemons(ctx)
	if err != nil {
		return err
	}
	stop, start := planDaemons(live, want)
	var errs []error
	for _, s := range stop {
		errs = append(errs, sd.DelDaemon(ctx, s))
	}
	for _, d := range start {
		errs = append(errs, sd.NewDaemon(ctx, d))
	}
	return errors.Join(errs...)
}
