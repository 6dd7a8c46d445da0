package desired

import (
	"net/netip"
	"time"
)

// Defaults: every default of the schema is here and in docs/configuration.md.
const (
	DefaultResyncInterval    = 30 * time.Second
	DefaultResyncCPU         = 0.04
	DefaultMassDeleteShare   = 0.5
	DefaultMassDeleteMin     = 5
	DefaultControlSocket     = "/run/seesaw/control.sock"
	DefaultVRRPPriority      = 100
	DefaultAdvertInterval    = time.Second
	DefaultGARPRepeat        = 5               // keepalived's garp_master_repeat
	DefaultGARPDelay         = 5 * time.Second // keepalived's garp_master_delay
	DefaultSyncPort          = 8848
	DefaultSyncTTL           = 1
	DefaultScheduler         = "wlc"
	DefaultForward           = ForwardNAT
	DefaultDrainTimeout      = 60 * time.Second
	DefaultOnUnhealthy       = Drain
	DefaultWeight            = 1
	DefaultCheckInterval     = 2 * time.Second
	DefaultCheckTimeout      = time.Second
	DefaultCheckRise         = 2
	DefaultCheckFall         = 3
	DefaultHTTPMethod        = "GET"
	DefaultHTTPPath          = "/"
	DefaultDNSType           = "A"
	DefaultDNSRcode          = "NOERROR"
	DefaultRADIUSResponse    = "accept"
	defaultMetricsAddressStr = "127.0.0.1:9847"
)

// DefaultMetricsAddress is where metrics listen unless configured (loopback only).
var DefaultMetricsAddress = netip.MustParseAddrPort(defaultMetricsAddressStr)

// defaultNode is a node before its keys are decoded.
func defaultNode() Node {
	return Node{
		ResyncInterval: DefaultResyncInterval,
		ResyncCPU:      DefaultResyncCPU,
		MassDelete:     MassDeleteGuard{MaxShare: DefaultMassDeleteShare, MinCount: DefaultMassDeleteMin},
		MetricsAddress: DefaultMetricsAddress,
		ControlSocket:  DefaultControlSocket,
		IPVS:           defaultIPVS(),
	}
}

// defaultVRRP is a vrrp section before its keys are decoded.
func defaultVRRP() VRRP {
	return VRRP{Priority: DefaultVRRPPriority, AdvertInterval: DefaultAdvertInterval, Preempt: true,
		GARP: GARP{Repeat: DefaultGARPRepeat, Delay: DefaultGARPDelay}}
}

// defaultSyncDaemon is a sync_daemon section before its keys are decoded.
func defaultSyncDaemon() SyncDaemon {
	return SyncDaemon{Port: DefaultSyncPort, TTL: DefaultSyncTTL}
}

// defaultService is a service before its keys are decoded.
func defaultService() Service {
	return Service{
		Scheduler:    DefaultScheduler,
		Forward:      DefaultForward,
		DrainTimeout: DefaultDrainTimeout,
		OnUnhealthy:  DefaultOnUnhealthy,
	}
}

// defaultBackend is a backend before its keys are decoded.
func defaultBackend() Backend {
	return Backend{Weight: DefaultWeight, Enabled: true}
}

// defaultCheck is a check before its keys are decoded; the per-type options
// get their defaults in checkTypeDefaults once the type is known.
func defaultCheck() Check {
	return Check{
		Mode:      ModePlain,
		Interval:  DefaultCheckInterval,
		Timeout:   DefaultCheckTimeout,
		Rise:      DefaultCheckRise,
		Fall:      DefaultCheckFall,
		InitialUp: true,
		TLS:       defaultTLS(),
	}
}

// defaultTLS is a tls section before its keys are decoded.
func defaultTLS() TLSOptions { return TLSOptions{Verify: true} }

// defaultTunnel is the tunnel of a tunnel service, before its keys are decoded.
func defaultTunnel() Tunnel { return Tunnel{Type: TunnelIPIP} }

// defaultPersistence is a persistence section before its keys are decoded;
// PrefixLen -1 stands for "full length" until the family is known.
func defaultPersistence() Persistence {
	return Persistence{Timeout: DefaultPersistenceTimeout, PrefixLen: -1}
}

// watermarksDerivedDefaults makes high default to low.
func watermarksDerivedDefaults(w *Watermarks, written keyNodes) {
	if _, ok := written["high"]; !ok {
		w.High = w.Low
	}
}

// serviceNodeDefaults fills the service defaults that come from the node.
func serviceNodeDefaults(s *Service, n Node) {
	if s.Interface == "" && len(n.Interfaces) > 0 {
		s.Interface = n.Interfaces[0]
	}
}

// checkDerivedDefaults fills the defaults that depend on other keys: the
// per-type options and the intervals that default to Interval.
func checkDerivedDefaults(c *Check, written keyNodes) {
	if _, ok := written["fast_interval"]; !ok {
		c.FastInterval = c.Interval
	}
	if _, ok := written["down_interval"]; !ok {
		c.DownInterval = c.Interval
	}
	if c.Type != CheckTLS && c.Type != CheckHTTPS {
		c.TLS = TLSOptions{}
	}
	switch c.Type {
	case CheckHTTP, CheckHTTPS:
		if c.HTTP.Method == "" {
			c.HTTP.Method = DefaultHTTPMethod
		}
		if c.HTTP.Path == "" {
			c.HTTP.Path = DefaultHTTPPath
		}
		if len(c.Expect.Status) == 0 {
			c.Expect.Status = []StatusRange{{First: 200, Last: 299}}
		}
	case CheckDNS:
		if c.DNS.Type == "" {
			c.DNS.Type = DefaultDNSType
		}
		if c.DNS.Transport == "" {
			c.DNS.Transport = UDP
		}
		if c.Expect.Rcode == "" {
			c.Expect.Rcode = DefaultDNSRcode
		}
	case CheckRADIUS:
		if c.Expect.Response == "" {
			c.Expect.Response = DefaultRADIUSResponse
		}
	}
}

// nodeDerivedDefaults fills the node defaults that depend on other keys.
func nodeDerivedDefaults(n *Node) {
	for i := range n.VRRPInstances {
		v := &n.VRRPInstances[i]
		if v.Interface == "" && len(n.Interfaces) > 0 {
			v.Interface = n.Interfaces[0]
		}
		if v.SyncDaemon != nil && v.SyncDaemon.Interface == "" {
			v.SyncDaemon.Interface = v.Interface
		}
	}
	n.VRRP = nil
	if len(n.VRRPInstances) > 0 {
		n.VRRP = &n.VRRPInstances[0]
	}
}

// serviceDerivedDefaults fills the service and backend defaults that depend
// on other keys (the node's interfaces are filled in by build).
func serviceDerivedDefaults(s *Service) {
	for i := range s.Backends {
		if s.Backends[i].Forward == "" {
			s.Backends[i].Forward = s.Forward
		}
	}
	if p := s.Persistence; p != nil && p.PrefixLen < 0 {
		p.PrefixLen = 32
		if s.IPv6 {
			p.PrefixLen = 128
		}
	}
}

// MinResyncInterval is the shortest allowed period of full kernel re-reads.
const MinResyncInterval = time.Second

// DefaultPersistenceTimeout is the persistence timeout when `persistence:` omits it.
const DefaultPersistenceTimeout = 300 * time.Second

// minPersistence is the shortest persistence timeout IPVS can express.
const minPersistence = time.Second

// minCheckInterval is the shortest allowed check interval.
const minCheckInterval = 10 * time.Millisecond

// BGP defaults (also in docs/configuration.md).
const (
	DefaultBGPPort          = 179
	DefaultBGPHoldTime      = 90 * time.Second
	DefaultBGPShutdownGrace = 5 * time.Second
	DefaultBFDInterval      = 300 * time.Millisecond
	DefaultBFDMultiplier    = 3
)

// defaultBGP is a bgp section before its keys are decoded.
func defaultBGP() BGP {
	return BGP{ShutdownGrace: DefaultBGPShutdownGrace}
}

// defaultBGPPeer is a bgp peer before its keys are decoded.
func defaultBGPPeer() BGPPeer {
	return BGPPeer{Port: DefaultBGPPort, HoldTime: DefaultBGPHoldTime}
}
