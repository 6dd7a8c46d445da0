package reconcile

import (
	"fmt"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// SettingKind says which kind of node setting a SettingOp changes.
type SettingKind uint8

// Node setting kinds.
const (
	// SetTimeout changes an IPVS connection timeout (IPVS_CMD_SET_CONFIG,
	// ipvsadm --set).
	SetTimeout SettingKind = iota + 1
	// SetSysctl writes a net.ipv4.vs sysctl.
	SetSysctl
)

// String returns "set ipvs timeout" or "set sysctl".
func (k SettingKind) String() string {
	switch k {
	case SetTimeout:
		return "set ipvs timeout"
	case SetSysctl:
		return "set sysctl"
	}
	return fmt.Sprintf("setting(%d)", uint8(k))
}

// Timeout names, as SettingOp.Name spells them.
const (
	TimeoutTCP    = "tcp"
	TimeoutTCPFin = "tcp_fin"
	TimeoutUDP    = "udp"
)

// SettingOp changes one node setting: an IPVS connection timeout or a
// net.ipv4.vs sysctl.
type SettingOp struct {
	Kind SettingKind
	// Name is the timeout (TimeoutTCP, TimeoutTCPFin, TimeoutUDP) or the
	// sysctl's full name ("net.ipv4.vs.expire_nodest_conn").
	Name string
	// From is the node's value (seconds for a timeout), when Known; To is
	// the value to set.
	From, To int64
	Known    bool
}

// String renders the op as plan prints it, e.g.
// "set ipvs timeout tcp 900s -> 3600s" or
// "set sysctl net.ipv4.vs.expire_nodest_conn 0 -> 1"; an unknown value
// is "?".
func (o SettingOp) String() string {
	from := "?"
	if o.Known {
		from = o.value(o.From)
	}
	return fmt.Sprintf("%s %s %s -> %s", o.Kind, o.Name, from, o.value(o.To))
}

func (o SettingOp) value(v int64) string {
	if o.Kind == SetTimeout {
		return fmt.Sprintf("%ds", v)
	}
	return fmt.Sprint(v)
}

// LiveSettings are the node's values of the settings a config keeps.
type LiveSettings struct {
	// Timeouts are the IPVS connection timeouts in seconds, when
	// HaveTimeouts (GET_CONFIG answers all three at once).
	Timeouts     kernel.Timeouts
	HaveTimeouts bool
	// Sysctls are values by full name ("net.ipv4.vs.conntrack"); a name
	// absent was not read.
	Sysctls map[string]int64
}

// SettingsAfter returns the node's settings after a config with want was
// applied: what want sets is known, the rest is not (diff plans a new
// revision against it).
func SettingsAfter(want desired.IPVSSettings) LiveSettings {
	live := LiveSettings{Sysctls: map[string]int64{}}
	if t := want.Timeouts; !t.IsZero() {
		live.HaveTimeouts = true
		live.Timeouts = kernel.Timeouts{TCP: seconds(t.TCP), TCPFin: seconds(t.TCPFin), UDP: seconds(t.UDP)}
	}
	for _, s := range want.Sysctls {
		live.Sysctls[s.Key()] = int64(s.Value)
	}
	return live
}

// PlanSettings returns the ops that take the node from live to want: the
// timeouts want sets (tcp, tcp_fin, udp) and the sysctls it keeps (in name
// order) whose value differs. A value live lacks gives an op that is not
// Known. A timeout live has as 0 (HaveTimeouts but a zero field: the
// kernel was built without that protocol) is unknown too.
func PlanSettings(want desired.IPVSSettings, live LiveSettings) []SettingOp {
	var ops []SettingOp
	for _, t := range []struct {
		name string
		want time.Duration
		live uint32
	}{
		{TimeoutTCP, want.Timeouts.TCP, live.Timeouts.TCP},
		{TimeoutTCPFin, want.Timeouts.TCPFin, live.Timeouts.TCPFin},
		{TimeoutUDP, want.Timeouts.UDP, live.Timeouts.UDP},
	} {
		w := int64(seconds(t.want))
		if w == 0 || live.HaveTimeouts && int64(t.live) == w {
			continue
		}
		ops = append(ops, SettingOp{Kind: SetTimeout, Name: t.name, From: int64(t.live), To: w, Known: live.HaveTimeouts && t.live != 0})
	}
	for _, s := range want.Sysctls {
		v, ok := live.Sysctls[s.Key()]
		if ok && v == int64(s.Value) {
			continue
		}
		ops = append(ops, SettingOp{Kind: SetSysctl, Name: s.Key(), From: v, To: int64(s.Value), Known: ok})
	}
	return ops
}

// seconds converts a timeout to whole seconds (desired keeps them whole).
func seconds(d time.Duration) uint32 { return uint32(d / time.Second) }
