package daemon

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/seesaw-lb/seesaw/checks"
	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// StatusReport is the daemon's state as the control socket's GET /status
// and the status page's /status.json report it.
type StatusReport struct {
	// Node is node.name of the config in force.
	Node string     `json:"node"`
	VRRP VRRPReport `json:"vrrp"`
	// Generation counts the valid configs taken into force since start.
	Generation int `json:"generation"`
	// Files are the config files of the config in force.
	Files []string `json:"files"`
	// ConfigError is why the latest config is held back, if it is.
	ConfigError string      `json:"config_error,omitempty"`
	LastRound   RoundReport `json:"last_reconcile"`
	// Services are the configured services, in config order.
	Services []ServiceReport `json:"services"`
	// CheckServices are the per-backend IPVS fwmark services that steer
	// dsr/tunnel checks (docs/checks-through-ipvs.md).
	CheckServices []CheckServiceReport `json:"check_services,omitempty"`
	// Drained are the backends drained by hand (ADDRESS or ADDRESS:PORT).
	Drained []string `json:"drained_by_hand"`
	// Metrics is the metrics listener's address, once it listens.
	Metrics string `json:"metrics_address,omitempty"`
	// Degraded are the parts not needed to forward traffic that are failing
	// now (metrics, control socket, overrides file), each with its error.
	Degraded map[string]string `json:"degraded,omitempty"`
	// TrafficError is why the backends' traffic is missing, if it is.
	TrafficError string `json:"traffic_error,omitempty"`
	// BGP is the BGP speaker's state; absent without node.bgp.
	BGP *BGPReport `json:"bgp,omitempty"`
	// HostChecks are the host settings anycast VIPs need (node.bgp.interface),
	// as checked when the config in force was loaded; absent without.
	HostChecks []HostCheck `json:"host_checks,omitempty"`
}

// VRRPReport is the virtual router's state ("standalone" without one): of
// the first VRRP instance, and of each in Instances.
type VRRPReport struct {
	State string `json:"state"`
	// Active is the mastership the last reconcile round used: true while
	// this node holds the VIPs (of some instance).
	Active   bool   `json:"active"`
	Priority uint8  `json:"priority,omitempty"`
	Master   string `json:"master,omitempty"`
	// Instances are the VRRP instances, in config order; absent on a
	// standalone node.
	Instances []InstanceReport `json:"instances,omitempty"`
}

// InstanceReport is one VRRP instance's virtual router.
type InstanceReport struct {
	Name      string `json:"name"`
	VRID      uint8  `json:"vrid"`
	Interface string `json:"interface"`
	State     string `json:"state"`
	// Active is true while this node holds the instance's addresses.
	Active   bool   `json:"active"`
	Priority uint8  `json:"priority"`
	Master   string `json:"master,omitempty"`
	// SyncGroup is the sync group the instance is in, if any.
	SyncGroup string `json:"sync_group,omitempty"`
	// Addresses counts the addresses the instance advertises: its services'
	// VIPs and its floating addresses of its address family.
	Addresses int `json:"addresses"`
}

// RoundReport is the last reconcile round.
type RoundReport struct {
	At      time.Time      `json:"at"`
	Applied map[string]int `json:"applied"`
	Failed  map[string]int `json:"failed"`
	Error   string         `json:"error,omitempty"`
	Held    string         `json:"held,omitempty"`
}

// ServiceReport is one configured service.
type ServiceReport struct {
	Name    string  `json:"name"`
	Up      bool    `json:"up"`
	Healthy int     `json:"healthy"`
	Enabled int     `json:"enabled"`
	Low     float64 `json:"low_watermark"`
	High    float64 `json:"high_watermark"`
	VIP     string  `json:"vip,omitempty"`
	VIPHeld bool    `json:"vip_held"`
	// FallbackInUse counts the fallbacks carrying the service's traffic.
	FallbackInUse int `json:"fallbacks_in_use,omitempty"`
	// Backends are the backends, then the fallbacks (Fallback set).
	Backends []BackendReport `json:"backends"`
}

// CheckServiceReport is one check service: an fwmark service whose only
// destination is Backend, forwarded as Forward.
type CheckServiceReport struct {
	Service string `json:"service"`
	Backend string `json:"backend"`
	Forward string `json:"forward"`
}

// checkServiceReports lists the check services of the last round's marks.
func checkServiceReports(marks reconcile.CheckMarks) []CheckServiceReport {
	var out []CheckServiceReport
	for _, m := range marks {
		fwd := m.Path.Dest.Forward.String()
		if m.Path.Dest.Forward == kernel.ForwardTunnel {
			fwd += " " + m.Path.Dest.TunnelType.String()
		}
		out = append(out, CheckServiceReport{Service: kernel.NewFWMarkKey(m.Path.Family, m.Mark).String(),
			Backend: m.Path.Backend.String(), Forward: fwd})
	}
	return out
}

// BackendReport is one backend of a service.
type BackendReport struct {
	Address       string `json:"address"`
	Weight        int32  `json:"weight"`
	Effective     int32  `json:"effective_weight"`
	Reason        string `json:"reason"`
	Healthy       bool   `json:"healthy"`
	DrainedByHand bool   `json:"drained_by_hand,omitempty"`
	// Fallback marks a fallback (sorry server) of the service.
	Fallback  bool    `json:"fallback,omitempty"`
	LastCheck string  `json:"last_check,omitempty"`
	LatencyMS float64 `json:"latency_ms,omitempty"`
	// Traffic is the backend's traffic in the kernel; absent when it has
	// no destination there or the counters could not be read.
	Traffic *TrafficReport `json:"traffic,omitempty"`
}

// status gathers the report from the parts of the daemon.
func (w *wiring) status() StatusReport {
	ls := w.loop.Status()
	views := w.instanceViews()
	w.mu.Lock()
	cfg, plan, over, metricsAt := w.cfg, w.plan, w.over, w.metricsAt
	health := w.healthLocked(plan)
	w.mu.Unlock()
	vr := vrrpReport(cfg, views, ls)
	checkStatus := map[checks.Key]checks.Status{}
	for _, s := range w.engine.Statuses() {
		checkStatus[s.Key] = s
	}
	vr.Active = ls.Master
	r := StatusReport{Node: cfg.Node.Name, VRRP: vr, Generation: ls.Generation, Files: ls.Files,
		ConfigError: ls.ConfigError, Drained: slices.Clone(over.Drained), Metrics: metricsAt, Degraded: w.degradedNow(),
		LastRound: RoundReport{At: ls.LastRound, Applied: kinds(ls.Applied), Failed: kinds(ls.Failed), Error: ls.Error, Held: ls.Held}}
	addSettingCounts(r.LastRound.Applied, ls.SettingsApplied)
	addSettingCounts(r.LastRound.Failed, ls.SettingsFailed)
	r.Services = serviceReports(cfg, over, health, ls, plan, checkStatus)
	if snap, err := w.traffic.read(context.Background()); err != nil {
		r.TrafficError = err.Error()
	} else {
		addTraffic(r.Services, cfg, snap, serviceNames(ls.Target))
	}
	r.CheckServices = checkServiceReports(ls.CheckMarks)
	r.BGP = w.bgpReport(context.Background())
	r.HostChecks = w.host.snapshot()
	return r
}

// vrrpReport reports the virtual routers: the first in the top-level
// fields (the whole report of a node with one instance), each in Instances.
func vrrpReport(cfg desired.Config, views []instanceView, ls reconcile.Status) VRRPReport {
	if len(views) == 0 {
		return VRRPReport{State: "standalone"}
	}
	var vr VRRPReport
	for i, v := range views {
		st := v.node.Stats()
		ir := InstanceReport{Name: v.name, VRID: v.cfg.VRID, Interface: v.cfg.Interface, State: st.State.String(),
			Priority: st.Priority, Active: instanceActive(ls, v.name), Addresses: len(v.cfg.VIPs)}
		if v.event.Master.IsValid() {
			ir.Master = v.event.Master.String()
		}
		if g, ok := cfg.Node.SyncGroupOf(v.name); ok {
			ir.SyncGroup = g.Name
		}
		if i == 0 {
			vr = VRRPReport{State: ir.State, Priority: ir.Priority, Master: ir.Master}
		}
		vr.Instances = append(vr.Instances, ir)
	}
	return vr
}

// instanceActive reports whether the last round held instance's addresses.
func instanceActive(ls reconcile.Status, instance string) bool {
	if m, ok := ls.Instances[instance]; ok {
		return m
	}
	return ls.Master
}

// serviceReports joins config, the last round's target, health and check
// status.
func serviceReports(cfg desired.Config, over overrides, health reconcile.Health, ls reconcile.Status,
	plan checkPlan, cs map[checks.Key]checks.Status) []ServiceReport {
	held := map[netip.Addr]bool{}
	for _, a := range ls.Addresses {
		held[a.Prefix.Addr()] = true
	}
	var out []ServiceReport
	for _, s := range cfg.Services {
		sr := ServiceReport{Name: s.Name, Low: s.Watermarks.Low, High: s.Watermarks.High, VIPHeld: held[s.VIP]}
		if s.VIP.IsValid() {
			sr.VIP = s.VIP.String()
		}
		for _, st := range ls.Services {
			if st.Name == s.Name {
				sr.Up, sr.Healthy, sr.Enabled, sr.FallbackInUse = st.Up, st.Healthy, st.Enabled, st.Fallback
			}
		}
		for _, b := range s.Backends {
			sr.Backends = append(sr.Backends, backendReport(&s, b, over, health, ls.Target, plan, cs))
		}
		for _, f := range s.Fallback {
			br := backendReport(&s, f.Backend, over, health, ls.Target, plan, cs)
			br.Fallback = true
			if br.Reason == "absent" {
				br.Reason = "not in use"
			}
			sr.Backends = append(sr.Backends, br)
		}
		out = append(out, sr)
	}
	return out
}

// backendReport is one backend's (or fallback's) line of a service report.
func backendReport(s *desired.Service, b desired.Backend, over overrides, health reconcile.Health, t reconcile.Target,
	plan checkPlan, cs map[checks.Key]checks.Status) BackendReport {
	bk := reconcile.HealthKey(s, &b)
	br := BackendReport{Address: bk.Backend.String(), Weight: b.Weight, DrainedByHand: over.matches(b)}
	if b.Port == 0 {
		br.Address = b.Address.String()
	}
	h, known := health[bk]
	br.Healthy = h || !known
	br.Effective, br.Reason = effectiveWeight(t, s.Name, b)
	for _, k := range plan.Needs[bk] {
		if c, ok := cs[k]; ok && !c.LastCheck.IsZero() {
			br.LastCheck, br.LatencyMS = "ok", float64(c.Latency.Microseconds())/1000
			if c.LastError != nil {
				br.LastCheck = c.LastError.Error()
				break
			}
		}
	}
	return br
}

// effectiveWeight finds b's weight in the target (first port of s).
func effectiveWeight(t reconcile.Target, name string, b desired.Backend) (int32, string) {
	for _, ts := range t.Services {
		if ts.Name != name || ts.Role != reconcile.RoleService {
			continue
		}
		for _, d := range ts.Destinations {
			if d.Key.Addr == b.Address && (b.Port == 0 || d.Key.Port == b.Port) {
				return int32(d.Config.Weight), d.Reason.String()
			}
		}
	}
	return 0, "absent"
}

func kinds[K interface {
	comparable
	String() string
}](m map[K]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[strings.ReplaceAll(k.String(), " ", "_")] = v
	}
	return out
}
