package daemon

import (
	"context"
	"log/slog"
	"net/netip"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/addrs"
	"github.com/seesaw-lb/seesaw/kernel/checkpath"
	"github.com/seesaw-lb/seesaw/reconcile"
	"github.com/seesaw-lb/seesaw/vrrp"
)

// deps are what the daemon needs from the outside world; tests replace
// them (a fake kernel, an in-memory VRRP segment).
type deps struct {
	openKernel func() (kernel.IPVS, error)
	now        func() time.Time
	// vips manages VIP addresses (nil result: leave them alone).
	vips func(log *slog.Logger) reconcile.VIPManager
	// listenVRRP opens the VRRP socket of a virtual router.
	listenVRRP func(vrrp.Config) (vrrp.Conn, error)
	// checkRoutes opens the host routes of dsr/tunnel checks (nil: none
	// are kept).
	checkRoutes func() (checkpath.Routes, error)
	// checkSysctls sets accept_local for dsr/tunnel checks (nil: left alone).
	checkSysctls func() *reconcile.CheckSysctls
	// sysctls are the kernel settings under /proc/sys (nil: none read or
	// written): node.ipvs's net.ipv4.vs sysctls are kept through them (the
	// IPVS timeouts through the kernel client), and the host checks of
	// anycast VIPs read them.
	sysctls checkpath.Sysctls
	// sourceFor is the source address towards a backend, bound by dsr/tunnel
	// checks (nil: none bound).
	sourceFor func(netip.Addr) (netip.Addr, error)
	// handoff sends a Master's live connections to the peer's backup sync
	// daemon when it leaves mastership (connsync_linux.go; nil: none are
	// sent).
	handoff func(desired.Config, desired.SyncDaemon) (sent, skipped int, err error)
	// listAddrs reads an interface's addresses, once at start: VRRP
	// instances whose VIPs are all there resume mastership (resume.go;
	// nil: every instance starts as backup).
	listAddrs func(ctx context.Context, ifname string) ([]netip.Prefix, error)
	// announce sends a GARP / NA for a VIP a resumed master kept (nil:
	// none are sent).
	announce func(ctx context.Context, ifname string, a netip.Addr) error
}

// systemDeps opens the kernel of the current network namespace.
func systemDeps() deps {
	return deps{
		openKernel:   func() (kernel.IPVS, error) { return kernel.Dial(kernel.Options{}) },
		now:          time.Now,
		vips:         kernelVIPs,
		listenVRRP:   vrrp.Listen,
		checkRoutes:  func() (checkpath.Routes, error) { return checkpath.NewRoutes(0) },
		checkSysctls: func() *reconcile.CheckSysctls { return reconcile.NewCheckSysctls(checkpath.ProcSysctls{}) },
		sourceFor:    checkpath.SourceFor,
		sysctls:      checkpath.ProcSysctls{},
		handoff:      handoffConns,
		listAddrs:    listAddrs,
		announce:     announceAddr,
	}
}

// announceAddr sends one GARP / NA for a on ifname over sockets of its own.
func announceAddr(ctx context.Context, ifname string, a netip.Addr) error {
	as, err := addrs.New(0)
	if err != nil {
		return err
	}
	defer as.Close()
	return as.Announce(ctx, ifname, a)
}

// listAddrs reads ifname's addresses over a netlink socket of its own.
func listAddrs(ctx context.Context, ifname string) ([]netip.Prefix, error) {
	a, err := addrs.New(0)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	return a.List(ctx, ifname)
}

// kernelVIPs manages VIP addresses over rtnetlink; without rtnetlink the
// daemon still runs IPVS and logs why addresses are left alone.
func kernelVIPs(log *slog.Logger) reconcile.VIPManager {
	a, err := addrs.New(0)
	if err != nil {
		log.Error("VIP addresses are not managed", "error", err.Error())
		return nil
	}
	return reconcile.NewVIPs(a, log)
}
