package desired

import (
	"net/netip"
	"time"
)

// Config is the validated, defaulted and normalized desired state read from a
// configuration directory. It is a plain value: every field is exported so
// other packages can read it, and it must be treated as read-only (its slices
// are shared between copies; never modify them). Ordering is deterministic and
// independent of file order: Services sorted by Name, Checks by Name, each
// service's Backends by address then port.
type Config struct {
	// Node describes this load-balancer node (exactly one file defines it).
	Node Node
	// Services are every service of every file, sorted by Name.
	Services []Service
	// Checks are the shared named checks (top-level `checks:`), sorted by Name.
	// Services that use them hold resolved copies in Service.Checks.
	Checks []Check
	// Addresses are the floating addresses without a service (top-level
	// `addresses:` of every file), sorted by interface then address.
	Addresses []FloatingAddress
	// Files are the base names of the files the Config was built from, in name order.
	Files []string
}

// Source is where a configuration item was written: a file's base name and
// the 1-based line and column of the item.
type Source struct {
	File string
	Line int
	Col  int
}

// Node is the `node:` section: identity, interfaces, ownership scope, timers,
// VRRP and the local endpoints of the daemon.
type Node struct {
	// Name identifies the node in logs, status and metrics.
	Name string
	// Interfaces are where VIP addresses are added; the first is the default
	// for services that name none.
	Interfaces []string
	// Scope limits which IPVS entries the reconciler owns; empty means all.
	Scope Scope
	// CheckFwmarks is the fwmark range reserved for check services of
	// `mode: dsr|tunnel` checks (zero value: none reserved). It is part of the
	// owned scope.
	CheckFwmarks FwmarkRange
	// ResyncInterval is how often the live kernel state is re-read in full.
	ResyncInterval time.Duration
	// ResyncCPU is the share of one core the periodic re-read may use on
	// average (`resync_cpu`, 0 < share <= 1); a table that cannot be read
	// within ResyncInterval at that share is read in a longer cycle. Zero
	// (a Node built by hand) means DefaultResyncCPU.
	ResyncCPU float64
	// MassDelete is the guard against plans deleting most owned services.
	MassDelete MassDeleteGuard
	// VRRP is the first VRRP instance (the only one in the `node.vrrp`
	// form); nil means standalone (always master). Instances lists them all.
	VRRP *VRRP
	// VRRPInstances are the VRRP instances in the order written: the one of
	// `node.vrrp` (named DefaultInstance) or those of `node.vrrp_instances`.
	// Read them with Instances, which also covers a Node built by hand.
	VRRPInstances []VRRP
	// SyncGroups are the instances that change state together
	// (`node.vrrp_sync_groups`), in the order written.
	SyncGroups []SyncGroup
	// BGP is the BGP speaker that announces anycast VIPs; nil means none.
	BGP *BGP
	// IPVS are the IPVS timeouts and net.ipv4.vs sysctls the daemon keeps
	// (`ipvs:`; without it, DefaultIPVSSysctls).
	IPVS IPVSSettings
	// MetricsAddress is where Prometheus metrics and the status page listen.
	MetricsAddress netip.AddrPort
	// ControlSocket is the path of the local unix control socket.
	ControlSocket string
	// Notify are the hooks run on VRRP and service events (`notify:`).
	Notify []Hook
	// Limits are the read limits `limits:` sets, each at least its
	// DefaultLimits field (zero fields: not set, the loader's own apply).
	Limits Limits
	// Source is where the `node:` key was written.
	Source Source
}

// Scope narrows the IPVS entries the reconciler owns. A service is owned when
// its VIP lies in one of Prefixes or its fwmark in one of Fwmarks. When both
// lists are empty the reconciler owns the whole IPVS table.
type Scope struct {
	Prefixes []netip.Prefix
	Fwmarks  []FwmarkRange
}

// IsEmpty reports whether the scope is unset, so the whole IPVS table is owned.
func (s Scope) IsEmpty() bool { return len(s.Prefixes) == 0 && len(s.Fwmarks) == 0 }

// OwnsAddr reports whether a VIP service on addr is owned: the scope is
// empty or one of its prefixes contains addr.
func (s Scope) OwnsAddr(addr netip.Addr) bool {
	if s.IsEmpty() {
		return true
	}
	for _, p := range s.Prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// OwnsFwmark reports whether an fwmark service with mark is owned: the scope
// is empty or one of its ranges contains mark. (Node.CheckFwmarks is owned
// in addition; callers check it separately.)
func (s Scope) OwnsFwmark(mark uint32) bool {
	if s.IsEmpty() {
		return true
	}
	for _, r := range s.Fwmarks {
		if r.Contains(mark) {
			return true
		}
	}
	return false
}

// FwmarkRange is an inclusive range of firewall marks. The zero value (0-0)
// means "no range".
type FwmarkRange struct {
	First uint32
	Last  uint32
}

// Contains reports whether mark lies in the range.
func (r FwmarkRange) Contains(mark uint32) bool {
	return r.Last != 0 && mark >= r.First && mark <= r.Last
}

// Size is the number of marks in the range.
func (r FwmarkRange) Size() int {
	if r.Last == 0 {
		return 0
	}
	return int(r.Last-r.First) + 1
}

// IsZero reports whether the range is unset.
func (r FwmarkRange) IsZero() bool { return r == FwmarkRange{} }

// MassDeleteGuard holds back the service deletions of a plan that would
// delete more than MaxShare of the owned IPVS services and more than
// MinCount of them, unless Allow is set.
type MassDeleteGuard struct {
	// MaxShare is the largest share (0..1) of owned services one plan may delete.
	MaxShare float64
	// MinCount is how many service deletions a plan may always make,
	// whatever their share (a few strays on a fresh node).
	MinCount int
	// Allow disables the guard.
	Allow bool
}

// VRRP is the VRRPv3 (RFC 9568) configuration of the node.
type VRRP struct {
	// Name names the instance (DefaultInstance in the `node.vrrp` form).
	Name string
	// VRID is the virtual router id, 1..255.
	VRID uint8
	// Priority is 1..255; 255 means address owner.
	Priority uint8
	// AdvertInterval is the advertisement interval (10ms steps, 10ms..40.95s).
	AdvertInterval time.Duration
	// Interface carries the adverts (default: the node's first interface).
	Interface string
	// IPv6 selects VRRP over IPv6 (ff02::12 / link-local) instead of IPv4.
	IPv6 bool
	// Peers are the unicast peers; empty means multicast (224.0.0.18 / ff02::12).
	Peers []netip.Addr
	// SourceAddress is the unicast source address (invalid: chosen by the kernel).
	SourceAddress netip.Addr
	// Preempt lets a higher-priority backup take over from a lower-priority master.
	Preempt bool
	// PreemptDelay delays preemption after startup.
	PreemptDelay time.Duration
	// GARP says how a new master announces its VIPs (gratuitous ARP,
	// unsolicited neighbour advertisement).
	GARP GARP
	// Track lowers the priority when tracked interfaces or services fail.
	Track Tracking
	// SyncDaemon configures the IPVS connection-sync daemon; nil means none.
	SyncDaemon *SyncDaemon
	// KernelTimedAdverts queues the master's adverts in the kernel with
	// their departure time (SO_TXTIME; needs the fq qdisc on Interface).
	KernelTimedAdverts bool
	// RealtimePriority, 1..99, runs the thread that sends the adverts
	// (in the sender process, or the timing thread) at that SCHED_FIFO
	// priority (keepalived's vrrp_rt_priority); 0: normal.
	RealtimePriority int
	// AdvertSender is what sends the master's adverts when they are not
	// kernel-timed: "process", "thread" or "runtime" (AdvertSenders);
	// empty: the vrrp package's default.
	AdvertSender string
}

// AdvertSenders returns the values of VRRP.AdvertSender: a process of
// its own, the in-process timing thread, the node's goroutine.
func AdvertSenders() []string { return []string{"process", "thread", "runtime"} }

// MaxSenderProcessPeers is how many unicast peers the advert sender
// process sends to (its buffers are allocated once, at start); more need
// advert_sender: thread or runtime.
const MaxSenderProcessPeers = 16

// GARP is how a VRRP master announces the VIPs it adds (keepalived's
// garp_* settings): Repeat announcements Interval apart at once, the same
// again after Delay (0: no second burst), and one every Refresh while it
// holds them (0: never).
type GARP struct {
	Repeat   int
	Interval time.Duration
	Delay    time.Duration
	Refresh  time.Duration
}

// Tracking lists what lowers the VRRP priority while it is failing.
type Tracking struct {
	// Interfaces lower the priority while the interface is down.
	Interfaces []TrackInterface
	// Services lower the priority while the service is below its low watermark.
	Services []TrackService
}

// TrackInterface lowers the VRRP priority by Decrement while interface Name is down.
type TrackInterface struct {
	Name      string
	Decrement uint8
}

// TrackService lowers the VRRP priority by Decrement while service Name is down.
type TrackService struct {
	Name      string
	Decrement uint8
}

// SyncDaemon is the IPVS connection-synchronization daemon configuration;
// the daemon is switched to master or backup together with the VRRP state.
type SyncDaemon struct {
	// Interface the sync messages are sent and received on.
	Interface string
	// SyncID distinguishes sync groups on one segment (0..255).
	SyncID uint8
	// Group is the multicast group (invalid: kernel default 224.0.0.81).
	Group netip.Addr
	// Port is the UDP port (default 8848).
	Port uint16
	// TTL is the multicast TTL (default 1).
	TTL uint8
	// MaxLen is the maximum sync message length (0: kernel default).
	MaxLen uint16
}
