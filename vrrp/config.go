package vrrp

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// ErrConfig is wrapped by every Config.Validate error.
var ErrConfig = errors.New("invalid vrrp config")

// Config describes one virtual router on one interface. The daemon builds
// it from its own configuration schema.
type Config struct {
	// Interface is the link adverts are sent and received on.
	Interface string
	// VRID is the virtual router id, 1..255.
	VRID uint8
	// Priority is 1..255; 255 means this node owns the VIPs.
	Priority uint8
	// AdvertInterval is a multiple of 10 ms between 10 ms and 40.95 s.
	AdvertInterval time.Duration
	// Preempt lets a higher-priority backup take over from a lower master.
	Preempt bool
	// PreemptDelay defers preemption after the first lower-priority advert.
	PreemptDelay time.Duration
	// AcceptMode is reported in master events: whether the master should
	// accept packets addressed to the VIPs it does not own (RFC 9568 6.1).
	AcceptMode bool
	// Peers are unicast neighbours; empty means multicast (224.0.0.18 or ff02::12).
	Peers []netip.Addr
	// VIPs are the virtual addresses carried in adverts; their family (all
	// the same) selects IPv4 or IPv6.
	VIPs []netip.Addr
	// TrackInterfaces lower the priority while a link is down.
	TrackInterfaces []TrackInterface
	// Source is the address adverts are sent from and ties are broken on;
	// the zero Addr means the interface's first IPv4 address or its IPv6
	// link-local address.
	Source netip.Addr
	// KernelTimedAdverts makes a Master hand each advert to the kernel
	// ahead of its deadline with its departure time (SO_TXTIME), so that
	// it leaves on time however late this process runs. It needs the fq
	// qdisc on Interface; without it the node logs why once and times
	// adverts itself.
	KernelTimedAdverts bool
	// RealtimePriority, 1..99, runs the thread that sends a Master's
	// adverts (the advert sender process's, or the timing thread) with
	// the SCHED_FIFO real-time policy at that priority (keepalived's
	// vrrp_rt_priority); 0 leaves it at normal priority. It needs
	// CAP_SYS_NICE or an RLIMIT_RTPRIO at least as high; without them the
	// node logs why once and the thread runs at normal priority.
	RealtimePriority int
	// RuntimeTimedAdverts times a Master's adverts with the Go runtime's
	// timer and a spin on the node's goroutine instead of the timing
	// thread: the send path before the thread existed, kept for
	// comparison (make vrrpbench) and as a fallback.
	RuntimeTimedAdverts bool
	// AdvertSender chooses what sends a Master's adverts when they are
	// not kernel-timed: TimingProcess (a process of their own, on a
	// lease), TimingThread (the timing thread) or TimingRuntime (the
	// node's goroutine, as RuntimeTimedAdverts); empty means
	// DefaultAdvertSender. A process or thread that cannot be started is
	// logged and the next path down is used.
	AdvertSender string
}

// DefaultAdvertSender is the sender of a Config without AdvertSender.
const DefaultAdvertSender = TimingProcess

// MaxRealtimePriority is the highest SCHED_FIFO priority Linux allows.
const MaxRealtimePriority = 99

// TrackInterface lowers the priority by Penalty while link Name is not up.
type TrackInterface struct {
	Name    string
	Penalty int
}

// IPv6 reports whether the virtual router is an IPv6 one.
func (c Config) IPv6() bool { return len(c.VIPs) > 0 && !c.VIPs[0].Is4() }

// Validate checks c and says what is wrong with which field.
func (c Config) Validate() error {
	where := fmt.Sprintf("vrrp VRID %d on %q", c.VRID, c.Interface)
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: %w: %s", where, ErrConfig, fmt.Sprintf(format, args...))
	}
	switch {
	case c.Interface == "":
		return bad("interface is empty")
	case c.VRID == 0:
		return bad("vrid must be 1..255")
	case c.Priority == 0:
		return bad("priority must be 1..255 (0 is reserved for shutdown)")
	case c.AdvertInterval < centisecond || c.AdvertInterval > MaxAdvertInterval*centisecond:
		return bad("advert_interval %v outside 10ms..40.95s", c.AdvertInterval)
	case c.AdvertInterval%centisecond != 0:
		return bad("advert_interval %v is not a multiple of 10ms", c.AdvertInterval)
	case c.RealtimePriority < 0 || c.RealtimePriority > MaxRealtimePriority:
		return bad("realtime_priority %d outside 0..%d", c.RealtimePriority, MaxRealtimePriority)
	case c.AdvertSender != "" && c.AdvertSender != TimingProcess && c.AdvertSender != TimingThread && c.AdvertSender != TimingRuntime:
		return bad("advert_sender %q is not %s, %s or %s", c.AdvertSender, TimingProcess, TimingThread, TimingRuntime)
	case c.PreemptDelay < 0:
		return bad("preempt_delay %v is negative", c.PreemptDelay)
	case len(c.VIPs) == 0:
		return bad("no VIPs")
	case len(c.VIPs) > 255:
		return bad("%d VIPs, at most 255 fit an advert", len(c.VIPs))
	}
	for _, ip := range append(append([]netip.Addr{}, c.VIPs...), c.Peers...) {
		if !ip.IsValid() || ip.Is4In6() || ip.Is4() == c.IPv6() {
			return bad("address %s is not of the VIPs' family", ip)
		}
	}
	if c.Source.IsValid() && (c.Source.Is4In6() || c.Source.Is4() == c.IPv6()) {
		return bad("source %s is not of the VIPs' family", c.Source)
	}
	for _, t := range c.TrackInterfaces {
		if t.Name == "" || t.Penalty < 0 {
			return bad("track interface %q with penalty %d", t.Name, t.Penalty)
		}
	}
	return nil
}

func (c Config) params(primary netip.Addr) Params {
	return Params{
		VRID:         c.VRID,
		Priority:     c.Priority,
		Interval:     uint16(c.AdvertInterval / centisecond),
		Preempt:      c.Preempt,
		PreemptDelay: c.PreemptDelay,
		Primary:      primary,
		Addrs:        c.VIPs,
	}
}
