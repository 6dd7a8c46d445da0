package reconcile

import (
	"context"
	"errors"

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

// wantDaemon returns the sync daemon the node should run: the master role
// (sending connection state) on the VRRP master, the backup role
// (receiving it) on a backup. ok is false when the config has no
// sync_daemon: the daemons are then left alone.
func wantDaemon(cfg desired.Config, master bool) (d kernel.Daemon, ok bool) {
	if cfg.Node.VRRP == nil || cfg.Node.VRRP.SyncDaemon == nil {
		return kernel.Daemon{}, false
	}
	sd := cfg.Node.VRRP.SyncDaemon
	d = kernel.Daemon{State: kernel.DaemonBackup, Interface: sd.Interface, SyncID: uint32(sd.SyncID),
		MaxLen: sd.MaxLen, Group: sd.Group, Port: sd.Port, TTL: sd.TTL}
	if master {
		d.State = kernel.DaemonMaster
	}
	return d, true
}

// daemonMatches compares a running daemon with the wanted one; settings the
// config leaves to the kernel (zero) match whatever the kernel chose.
func daemonMatches(live, want kernel.Daemon) bool {
	return live.State == want.State && live.Interface == want.Interface && live.SyncID == want.SyncID &&
		(want.MaxLen == 0 || live.MaxLen == want.MaxLen) && (!want.Group.IsValid() || live.Group == want.Group) &&
		(want.Port == 0 || live.Port == want.Port) && (want.TTL == 0 || live.TTL == want.TTL)
}

// planDaemons returns the roles to stop and the daemon to start so that
// exactly want runs: the other role is stopped, a differing one restarted.
func planDaemons(live []kernel.Daemon, want kernel.Daemon) (stop []kernel.DaemonState, start *kernel.Daemon) {
	running := false
	for _, d := range live {
		if daemonMatches(d, want) {
			running = true
			continue
		}
		stop = append(stop, d.State)
	}
	if !running {
		start = &want
	}
	return stop, start
}

// syncDaemons makes the kernel run exactly the wanted sync daemon.
func syncDaemons(ctx context.Context, sd SyncDaemons, cfg desired.Config, master bool) error {
	want, ok := wantDaemon(cfg, master)
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
	if start != nil {
		errs = append(errs, sd.NewDaemon(ctx, *start))
	}
	return errors.Join(errs...)
}
