package vrrp

// State is a VRRP router state (RFC 9568 section 6.4). The RFC's newer name
// for Master is "Active"; this package keeps the name operators know.
type State uint8

// The three states of a virtual router.
const (
	Initialize State = iota
	Backup
	Master
)

// String returns the state's lower-case name.
func (s State) String() string {
	switch s {
	case Initialize:
		return "initialize"
	case Backup:
		return "backup"
	case Master:
		return "master"
	}
	return "unknown"
}

// Reason says why a state transition happened.
type Reason string

// Reasons for transitions.
const (
	ReasonStartup      Reason = "startup"            // Initialize -> Backup
	ReasonOwner        Reason = "address-owner"      // Initialize -> Master at priority 255
	ReasonMasterDown   Reason = "master-down"        // no advert for Master_Down_Interval
	ReasonPeerShutdown Reason = "peer-priority-zero" // the master sent priority 0, we waited Skew_Time
	ReasonPreempted    Reason = "higher-priority"    // a better advert arrived while Master
	ReasonShutdown     Reason = "shutdown"           // local shutdown
	ReasonStepDown     Reason = "step-down"          // manual failover
	ReasonLinkDown     Reason = "link-down"          // the interface lost its link: fault
	ReasonPreempt      Reason = "preempt"            // Master_Down_Timer fired while a lower-priority master was advertising
	ReasonHeld         Reason = "held-vips"          // Initialize -> Master: the node already held the VIPs (StartHeld)
)
