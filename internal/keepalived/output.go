package keepalived

// The types below are the seesaw configuration the converter writes, in the
// key order of docs/configuration.md; empty fields are left out so that
// seesaw's defaults apply.

type outNode struct {
	Name          string         `yaml:"name"`
	Interface     any            `yaml:"interface"`
	Scope         outScope       `yaml:"scope,omitempty"`
	VRRP          *outVRRP       `yaml:"vrrp,omitempty"`
	VRRPInstances []*outVRRP     `yaml:"vrrp_instances,omitempty"`
	SyncGroups    []outSyncGroup `yaml:"vrrp_sync_groups,omitempty"`
	Notify        []*outHook     `yaml:"notify,omitempty"`
	IPVS          *outIPVS       `yaml:"ipvs,omitempty"`
}

type outSyncGroup struct {
	Name      string   `yaml:"name"`
	Instances []string `yaml:"instances,flow"`
}

type outAddress struct {
	Address      string `yaml:"address"`
	Interface    string `yaml:"interface,omitempty"`
	VRRPInstance string `yaml:"vrrp_instance,omitempty"`
}

type outIPVS struct {
	Timeouts *outTimeouts `yaml:"timeouts,omitempty"`
}

type outTimeouts struct {
	TCP    string `yaml:"tcp,omitempty"`
	TCPFin string `yaml:"tcp_fin,omitempty"`
	UDP    string `yaml:"udp,omitempty"`
}

type outScope struct {
	Prefixes []string `yaml:"prefixes,omitempty,flow"`
	Fwmarks  []string `yaml:"fwmarks,omitempty,flow"`
}

type outVRRP struct {
	Name              string         `yaml:"name,omitempty"`
	VRID              int            `yaml:"vrid"`
	Priority          int            `yaml:"priority"`
	AdvertInterval    string         `yaml:"advert_interval"`
	Interface         string         `yaml:"interface,omitempty"`
	IPv6              bool           `yaml:"ipv6,omitempty"`
	Peers             []string       `yaml:"peers,omitempty,flow"`
	Source            string         `yaml:"source,omitempty"`
	Preempt           bool           `yaml:"preempt"`
	PreemptDelay      string         `yaml:"preempt_delay,omitempty"`
	GARPMasterRepeat  int            `yaml:"garp_master_repeat,omitempty"`
	GARPInterval      string         `yaml:"garp_interval,omitempty"`
	GARPMasterDelay   string         `yaml:"garp_master_delay,omitempty"`
	GARPMasterRefresh string         `yaml:"garp_master_refresh,omitempty"`
	Track             *outTrack      `yaml:"track,omitempty"`
	SyncDaemon        *outSyncDaemon `yaml:"sync_daemon,omitempty"`
}

type outTrack struct {
	Interfaces []outTrackItem `yaml:"interfaces"`
}

type outTrackItem struct {
	Name      string `yaml:"name"`
	Decrement int    `yaml:"decrement"`
}

type outSyncDaemon struct {
	Interface string `yaml:"interface,omitempty"`
	SyncID    int    `yaml:"sync_id"`
	Group     string `yaml:"group,omitempty"`
	Port      int    `yaml:"port,omitempty"`
	TTL       int    `yaml:"ttl,omitempty"`
	MaxLen    int    `yaml:"maxlen,omitempty"`
}

type outService struct {
	Name           string          `yaml:"name"`
	VIP            string          `yaml:"vip,omitempty"`
	Fwmark         uint32          `yaml:"fwmark,omitempty"`
	Family         string          `yaml:"family,omitempty"`
	Ports          []outPort       `yaml:"ports,omitempty"`
	Interface      string          `yaml:"interface,omitempty"`
	VRRPInstance   string          `yaml:"vrrp_instance,omitempty"`
	Scheduler      string          `yaml:"scheduler,omitempty"`
	SchedulerFlags []string        `yaml:"scheduler_flags,omitempty,flow"`
	Forward        string          `yaml:"forward"`
	Persistence    *outPersistence `yaml:"persistence,omitempty"`
	OnePacket      bool            `yaml:"one_packet,omitempty"`
	Watermarks     *outWatermarks  `yaml:"watermarks,omitempty"`
	OnUnhealthy    string          `yaml:"on_unhealthy,omitempty"`
	Checks         []*outCheck     `yaml:"checks,omitempty"`
	Backends       []outBackend    `yaml:"backends,omitempty"`
	Fallback       []outFallback   `yaml:"fallback,omitempty"`
}

type outPort struct {
	Proto string `yaml:"proto"`
	Port  int    `yaml:"port"`
}

type outPersistence struct {
	Timeout string `yaml:"timeout"`
	Netmask any    `yaml:"netmask,omitempty"`
	Engine  string `yaml:"engine,omitempty"`
}

type outWatermarks struct {
	Low  float64 `yaml:"low"`
	High float64 `yaml:"high"`
}

type outBackend struct {
	Address        string `yaml:"address"`
	Port           int    `yaml:"port,omitempty"`
	Weight         int    `yaml:"weight"`
	UpperThreshold int    `yaml:"upper_threshold,omitempty"`
	LowerThreshold int    `yaml:"lower_threshold,omitempty"`
	Forward        string `yaml:"forward,omitempty"`
}

// outFallback is a sorry server: services[].fallback[].
type outFallback struct {
	Address string `yaml:"address"`
	Port    int    `yaml:"port,omitempty"`
	Weight  int    `yaml:"weight"`
	Forward string `yaml:"forward,omitempty"`
	Idle    string `yaml:"idle,omitempty"`
}

type outCheck struct {
	Type         string     `yaml:"type"`
	Port         int        `yaml:"port,omitempty"`
	Interval     string     `yaml:"interval"`
	Timeout      string     `yaml:"timeout"`
	FastInterval string     `yaml:"fast_interval,omitempty"`
	Rise         int        `yaml:"rise"`
	Fall         int        `yaml:"fall"`
	Initial      string     `yaml:"initial,omitempty"`
	Send         string     `yaml:"send,omitempty"`
	Path         string     `yaml:"path,omitempty"`
	Host         string     `yaml:"host,omitempty"`
	TLS          *outTLS    `yaml:"tls,omitempty,flow"`
	QueryName    string     `yaml:"query_name,omitempty"`
	QueryType    string     `yaml:"query_type,omitempty"`
	Expect       *outExpect `yaml:"expect,omitempty,flow"`
}

type outTLS struct {
	ServerName string `yaml:"server_name,omitempty"`
	Verify     bool   `yaml:"verify"`
}

type outExpect struct {
	Status   []any  `yaml:"status,omitempty"`
	Contains string `yaml:"contains,omitempty"`
	Regexp   string `yaml:"regexp,omitempty"`
}
