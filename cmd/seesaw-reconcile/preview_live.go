package main

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/addrs"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// livePreview returns the VIP address and sync-daemon changes of the round
// planned with in (outcome out), against the node's live addresses and
// sync daemons; what cannot be read is left out and named in the notes.
// held are the addresses the running daemon holds (it owns them).
func livePreview(d deps, c kernel.IPVS, in reconcile.Inputs, out reconcile.Outcome, held []reconcile.Address) (reconcile.Preview, []string) {
	ctx := context.Background()
	var notes []string
	liveAddrs, err := d.listAddresses(ctx, reconcile.AddressInterfaces(in.Config, out.Target.Addresses))
	if err != nil {
		notes = append(notes, fmt.Sprintf("VIP addresses not previewed: %v", err))
		liveAddrs = nil
	}
	daemons, daemonErr := syncDaemonsOf(ctx, c)
	p := reconcile.PreviewOf(in.Config, out, in.HoldsAny(), liveAddrs, held, daemons, daemonErr == nil)
	if p.SyncDaemonManaged && daemonErr != nil {
		notes = append(notes, fmt.Sprintf("sync daemon not previewed: %v", daemonErr))
	}
	return p, notes
}

// syncDaemonsOf lists the kernel's running sync daemons.
func syncDaemonsOf(ctx context.Context, c kernel.IPVS) ([]kernel.Daemon, error) {
	sd, ok := c.(reconcile.SyncDaemons)
	if !ok {
		return nil, fmt.Errorf("the kernel client cannot list sync daemons")
	}
	ds, err := sd.Daemons(ctx)
	if err != nil {
		return nil, fmt.Errorf("list sync daemons: %w", err)
	}
	return ds, nil
}

// listAddresses reads the addresses of ifnames over rtnetlink.
func listAddresses(ctx context.Context, ifnames []string) (map[string][]netip.Prefix, error) {
	a, err := addrs.New(0)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	m := make(map[string][]netip.Prefix, len(ifnames))
	for _, n := range ifnames {
		ps, err := a.List(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("list the addresses of %s: %w", n, err)
		}
		m[n] = ps
	}
	return m, nil
}
