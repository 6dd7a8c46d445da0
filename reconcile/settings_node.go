package reconcile

import (
	"context"
	"errors"
	"fmt"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel/checkpath"
)

// NodeSettings keeps a node's IPVS timeouts and net.ipv4.vs sysctls equal
// to the config's (desired.IPVSSettings), as the loop keeps the table: it
// reads them once, applies what differs, remembers what it set, and reads
// them again at each resync (Reread) and after a failure, so a change by
// hand (ipvsadm --set, a write into /proc/sys) is repaired. A setting the
// config stops naming is left as it is. It belongs to the loop's goroutine.
type NodeSettings struct {
	timeouts KernelTimeouts
	sys      checkpath.Sysctls
	live     LiveSettings
	fresh    bool
}

// NewNodeSettings returns a NodeSettings over the kernel's timeouts and
// the sysctls; a nil one of the two leaves those settings alone.
func NewNodeSettings(timeouts KernelTimeouts, sys checkpath.Sysctls) *NodeSettings {
	return &NodeSettings{timeouts: timeouts, sys: sys}
}

// Reread makes the next Sync read the node's values again.
func (n *NodeSettings) Reread() { n.fresh = false }

// Sync applies what differs between want and the node and returns each
// op's result. The error names what could not be read and the ops that
// failed; the next Sync reads again and retries them.
func (n *NodeSettings) Sync(ctx context.Context, want desired.IPVSSettings) ([]SettingResult, error) {
	want = ManagedSettings(want, n.timeouts != nil, n.sys != nil)
	if !n.fresh {
		n.live = LiveSettings{}
	}
	n.fresh = true
	readErr := ReadSettings(ctx, n.timeouts, n.sys, want, &n.live)
	if readErr != nil {
		n.fresh = false
	}
	var ops []SettingOp
	for _, op := range PlanSettings(want, n.live) {
		if op.Known { // what could not be read is retried, not written blind
			ops = append(ops, op)
		}
	}
	res := ApplySettings(ctx, n.timeouts, n.sys, ops)
	failed, first := 0, error(nil)
	for _, r := range res {
		if r.Err != nil {
			failed++
			first = cmpErr(first, r.Err)
			continue
		}
		n.patch(r.Op)
	}
	if failed > 0 {
		n.fresh = false
		return res, errors.Join(readErr, fmt.Errorf("%d of %d node settings failed, first: %w", failed, len(res), first))
	}
	return res, readErr
}

// patch records an applied op in the cached values.
func (n *NodeSettings) patch(op SettingOp) {
	switch {
	case op.Kind == SetSysctl:
		n.live.Sysctls[op.Name] = op.To
	case op.Name == TimeoutTCP:
		n.live.Timeouts.TCP = uint32(op.To)
	case op.Name == TimeoutTCPFin:
		n.live.Timeouts.TCPFin = uint32(op.To)
	case op.Name == TimeoutUDP:
		n.live.Timeouts.UDP = uint32(op.To)
	}
}
