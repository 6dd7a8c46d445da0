package reconcile

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"slices"

	"github.com/seesaw-lb/seesaw/kernel/addrs"
)

// VIPs is the VIPManager over the kernel's addresses: it lists the owned
// interfaces, deletes owned addresses that are not targeted, adds the
// missing ones and announces each address it adds (once in Sync, the rest
// as AddressPolicy.Announce says, until the address is deleted). It keeps
// going past a failure and reports all of them.
type VIPs struct {
	addrs    addrs.Addresses
	log      *slog.Logger
	added    map[Address]bool
	announce *announcer
	// dummies are the anycast interfaces known to exist (anycast.go).
	dummies map[string]bool
	// prepared are the interfaces whose announcement socket is open
	// (prepareAnnounce).
	prepared map[string]bool
	// seen are the addresses of each interface as last listed, with the
	// adds and deletes made since (vips_release.go).
	seen map[string][]netip.Prefix
}

// NewVIPs returns a VIPManager over addrs.
func NewVIPs(addrs addrs.Addresses, log *slog.Logger) *VIPs {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &VIPs{addrs: addrs, log: log, added: map[Address]bool{}, announce: newAnnouncer(addrs.Announce, log),
		dummies: map[string]bool{}, prepared: map[string]bool{}, seen: map[string][]netip.Prefix{}}
}

// Sync implements VIPManager.
func (v *VIPs) Sync(ctx context.Context, target []Address, pol AddressPolicy) ([]Address, error) {
	var errs []error
	if err := v.ensureAnycast(ctx, pol.Anycast); err != nil {
		errs = append(errs, err)
	}
	live := map[string][]netip.Prefix{}
	for _, ifname := range interfacesOf(target, pol) {
		ps, err := v.list(ctx, ifname)
		if err != nil {
			if ifname == pol.Anycast {
				delete(v.dummies, ifname) // gone? create it again next time
			}
			errs = append(errs, err)
			continue
		}
		live[ifname] = ps
	}
	add, del := planAddresses(live, target, pol, v.added)
	held := heldIn(live, target)
	wait, rerrs := v.remove(ctx, del)
	defer wait()
	errs = append(errs, rerrs...)
	errs = append(errs, v.addAnnounced(ctx, add, pol, held)...)
	v.prepareAnnounce(ctx, live, pol)
	return heldOf(target, held), errors.Join(errs...)
}

// interfacesOf are the interfaces a sync of target under pol looks at:
// pol's and target's, sorted, each once.
func interfacesOf(target []Address, pol AddressPolicy) []string {
	ifnames := slices.Clone(pol.Interfaces)
	for _, t := range target {
		ifnames = append(ifnames, t.Interface)
	}
	slices.Sort(ifnames)
	return slices.Compact(ifnames)
}

// heldIn marks the addresses of target that live has.
func heldIn(live map[string][]netip.Prefix, target []Address) map[Address]bool {
	held := map[Address]bool{}
	for _, t := range target {
		held[t] = slices.Contains(live[t.Interface], t.Prefix)
	}
	return held
}

// prepareAnnounce opens the announcement socket of each listed interface
// but the anycast one, once (addrs.AnnouncePreparer): a backup's takeover
// then announces its first VIP without setting a socket up. A failure
// is tried again on the next Sync; the announcements themselves report it.
func (v *VIPs) prepareAnnounce(ctx context.Context, live map[string][]netip.Prefix, pol AddressPolicy) {
	ap, ok := v.addrs.(addrs.AnnouncePreparer)
	if !ok {
		return
	}
	for ifname := range live {
		if ifname == pol.Anycast || v.prepared[ifname] {
			continue
		}
		if err := ap.PrepareAnnounce(ctx, ifname); err != nil {
			v.log.Debug("announcement socket not opened ahead", "interface", ifname, "error", err.Error())
			continue
		}
		v.prepared[ifname] = true
	}
}

// heldOf is the addresses of target that held marks, in target's order.
func heldOf(target []Address, held map[Address]bool) []Address {
	var out []Address
	for _, t := range target {
		if held[t] {
			out = append(out, t)
		}
	}
	return out
}

// addAnnounced adds add and starts their announcements, marks each
// address added in held, and returns the errors. Where the addresses
// can, every address is added in one batch and the first announcements
// leave together after it (addAll; when the batch cannot be sent whole,
// each address is announced right after its own add); elsewhere every
// address is added before announceAdded announces them. Either way a
// takeover serves its VIPs without waiting for the announcements.
func (v *VIPs) addAnnounced(ctx context.Context, add []Address, pol AddressPolicy, held map[Address]bool) []error {
	var errs []error
	var added []Address
	var sent []bool
	addErrs, addSent := v.addAll(ctx, add, pol)
	for i, err := range addErrs {
		a := add[i]
		if err != nil {
			errs = append(errs, err)
			continue
		}
		v.added[a], held[a] = true, true
		v.saw(a, true)
		added, sent = append(added, a), append(sent, addSent[i])
		v.log.Info("added VIP", "interface", a.Interface, "address", a.Prefix.Addr().String())
	}
	v.announceAdded(ctx, added, sent, pol)
	return errs
}

// Takeover implements the loop's takeover fast path: it adds every
// address of target this node has not added, at once and without first
// listing the interfaces (an address already there counts as added, and
// is announced too), and returns those it holds. A new master's VIPs are
// on the failover's critical path; the round that follows runs Sync, which
// lists the interfaces and removes what must go. On an anycast node the
// anycast interface is made first when it is not known to exist (its VIPs
// are held as backup too, so a takeover usually adds none of them).
func (v *VIPs) Takeover(ctx context.Context, target []Address, pol AddressPolicy) ([]Address, error) {
	var errs []error
	if err := v.ensureAnycast(ctx, pol.Anycast); err != nil {
		errs = append(errs, err)
	}
	held := map[Address]bool{}
	var add []Address
	for _, t := range target {
		if v.added[t] {
			held[t] = true
		} else {
			add = append(add, t)
		}
	}
	errs = append(errs, v.addAnnounced(ctx, add, pol, held)...)
	return heldOf(target, held), errors.Join(errs...)
}

// announceAdded starts the announcements of the addresses just added
// (anycast VIPs are never announced); sent[i] says added[i]'s first has
// left already (addAll). Where the addresses can (addrs.BatchAnnouncer),
// the first announcement of every other address leaves here, one batch
// per interface, before Sync returns. Each schedule then goes on from its
// second; an address whose first could not be sent this way gets a
// schedule that sends it (and logs a failure).
func (v *VIPs) announceAdded(ctx context.Context, added []Address, sent []bool, pol AddressPolicy) {
	var as []Address
	var first []bool
	for i, a := range added {
		if a.Interface != pol.Anycast {
			as, first = append(as, a), append(first, sent[i])
		}
	}
	var todo []int // indexes in as whose first announcement is still to send
	for i := range as {
		if !first[i] {
			todo = append(todo, i)
		}
	}
	if ba, ok := v.addrs.(addrs.BatchAnnouncer); ok && len(todo) > 0 {
		batch := make([]Address, len(todo))
		for j, i := range todo {
			batch[j] = as[i]
		}
		errs := perInterface(batch, func(ifname string, _ []int, ps []netip.Prefix) []error {
			ips := make([]netip.Addr, len(ps))
			for i, p := range ps {
				ips[i] = p.Addr()
			}
			return ba.AnnounceAll(ctx, ifname, ips)
		})
		for j, err := range errs {
			first[todo[j]] = err == nil
		}
	}
	for i, a := range as {
		if first[i] {
			v.announce.startSent(a, pol.announceFor(a))
		} else {
			v.announce.start(a, pol.announceFor(a))
		}
	}
}

// addAll adds add, one batch per interface when the addresses can
// (addrs.BatchAdder), and returns one error per address. Where the
// addresses can (addrs.AddAnnouncer), each address but an anycast VIP is
// announced the moment it is added, so that the neighbours learn the
// first VIP of a takeover while the others are still being added; sent
// says whose first announcement has left.
func (v *VIPs) addAll(ctx context.Context, add []Address, pol AddressPolicy) (errs []error, sent []bool) {
	sent = make([]bool, len(add))
	if aa, ok := v.addrs.(addrs.AddAnnouncer); ok {
		errs = perInterface(add, func(ifname string, idx []int, ps []netip.Prefix) []error {
			announce := make([]bool, len(idx))
			for j, i := range idx {
				announce[j] = add[i].Interface != pol.Anycast
			}
			errs, ok := aa.AddAllAnnounce(ctx, ifname, ps, announce)
			for j, i := range idx {
				sent[i] = ok[j]
			}
			return errs
		})
		return errs, sent
	}
	ba, ok := v.addrs.(addrs.BatchAdder)
	if !ok {
		errs = make([]error, len(add))
		for i, a := range add {
			errs[i] = v.addrs.Add(ctx, a.Interface, a.Prefix)
		}
		return errs, sent
	}
	return perInterface(add, func(ifname string, _ []int, ps []netip.Prefix) []error { return ba.AddAll(ctx, ifname, ps) }), sent
}

// perInterface runs batch once per interface of as, in the order the
// interfaces first appear, with the indexes in as of that interface's
// addresses and their prefixes, and returns one error per address.
func perInterface(as []Address, batch func(ifname string, idx []int, ps []netip.Prefix) []error) []error {
	errs := make([]error, len(as))
	var order []string
	byIf := map[string][]int{}
	for i, a := range as {
		if _, ok := byIf[a.Interface]; !ok {
			order = append(order, a.Interface)
		}
		byIf[a.Interface] = append(byIf[a.Interface], i)
	}
	for _, ifname := range order {
		idx := byIf[ifname]
		ps := make([]netip.Prefix, len(idx))
		for j, i := range idx {
			ps[j] = as[i].Prefix
		}
		for j, err := range batch(ifname, idx, ps) {
			errs[idx[j]] = err
		}
	}
	return errs
}

// deleteAll removes del, one batch per interface when the addresses can
// (addrs.BatchDeleter), and returns one error per address.
func (v *VIPs) deleteAll(ctx context.Context, del []Address) []error {
	errs := make([]error, len(del))
	bd, ok := v.addrs.(addrs.BatchDeleter)
	if !ok {
		for i, a := range del {
			errs[i] = v.addrs.Delete(ctx, a.Interface, a.Prefix)
		}
		return errs
	}
	return perInterface(del, func(ifname string, _ []int, ps []netip.Prefix) []error { return bd.DeleteAll(ctx, ifname, ps) })
}
