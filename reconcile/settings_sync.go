package reconcile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/checkpath"
)

// KernelTimeouts reads and sets the IPVS connection timeouts (*kernel.Client
// satisfies it).
type KernelTimeouts interface {
	Timeouts(ctx context.Context) (kernel.Timeouts, error)
	SetTimeouts(ctx context.Context, t kernel.Timeouts) error
}

// SettingResult is the outcome of one SettingOp; Err is nil when it took
// effect.
type SettingResult struct {
	Op  SettingOp
	Err error
}

// ManagedSettings returns the part of want that can be kept with the
// means at hand: no timeouts without timeouts, no sysctls without sysctls.
func ManagedSettings(want desired.IPVSSettings, timeouts, sysctls bool) desired.IPVSSettings {
	if !timeouts {
		want.Timeouts = desired.IPVSTimeouts{}
	}
	if !sysctls {
		want.Sysctls = nil
	}
	return want
}

// ReadSettings reads into live what want keeps and live lacks: the
// timeouts (GET_CONFIG, through k) and each sysctl (through sys); a nil k
// or sys reads none of those. What could not be read stays absent and is
// named in the error.
func ReadSettings(ctx context.Context, k KernelTimeouts, sys checkpath.Sysctls, want desired.IPVSSettings, live *LiveSettings) error {
	if live.Sysctls == nil {
		live.Sysctls = map[string]int64{}
	}
	want = ManagedSettings(want, k != nil, sys != nil)
	var errs []error
	if !want.Timeouts.IsZero() && !live.HaveTimeouts {
		t, err := k.Timeouts(ctx)
		if err != nil {
			errs = append(errs, fmt.Errorf("read the IPVS timeouts: %w", err))
		} else {
			live.Timeouts, live.HaveTimeouts = t, true
		}
	}
	for _, s := range want.Sysctls {
		if _, ok := live.Sysctls[s.Key()]; ok {
			continue
		}
		v, err := readSysctl(sys, s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		live.Sysctls[s.Key()] = v
	}
	return errors.Join(errs...)
}

// readSysctl reads one integer sysctl.
func readSysctl(sys checkpath.Sysctls, s desired.Sysctl) (int64, error) {
	text, err := sys.Get(s.Path())
	if err != nil {
		return 0, fmt.Errorf("%w%s", err, missingHint(err))
	}
	v, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("read sysctl %s: %q is not an integer", s.Key(), text)
	}
	return v, nil
}

// missingHint explains a net.ipv4.vs sysctl that does not exist.
func missingHint(err error) string {
	if !errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	return " (the net.ipv4.vs sysctls exist once ip_vs is loaded, only in network namespaces owned by the initial user namespace; conntrack needs a kernel built with CONFIG_IP_VS_NFCT)"
}

// ApplySettings applies ops: the timeout ops in one SET_CONFIG (its fields
// for the other timeouts zero, so they are left), then each sysctl. A
// failed op does not stop the others.
func ApplySettings(ctx context.Context, k KernelTimeouts, sys checkpath.Sysctls, ops []SettingOp) []SettingResult {
	res := make([]SettingResult, len(ops))
	var t kernel.Timeouts
	var timeoutAt []int
	for i, op := range ops {
		res[i].Op = op
		switch op.Kind {
		case SetTimeout:
			timeoutAt = append(timeoutAt, i)
			switch op.Name {
			case TimeoutTCP:
				t.TCP = uint32(op.To)
			case TimeoutTCPFin:
				t.TCPFin = uint32(op.To)
			case TimeoutUDP:
				t.UDP = uint32(op.To)
			}
		case SetSysctl:
			if sys == nil {
				res[i].Err = fmt.Errorf("%s: no sysctls to write", op)
				continue
			}
			path := strings.ReplaceAll(op.Name, ".", "/")
			if err := sys.Set(path, strconv.FormatInt(op.To, 10)); err != nil {
				res[i].Err = fmt.Errorf("%s: %w%s", op, err, missingHint(err))
			}
		}
	}
	if len(timeoutAt) > 0 {
		err := errors.New("no IPVS client to set timeouts")
		if k != nil {
			err = k.SetTimeouts(ctx, t)
		}
		if err != nil {
			for _, i := range timeoutAt {
				res[i].Err = fmt.Errorf("%s: %w", ops[i], err)
			}
		}
	}
	return res
}
