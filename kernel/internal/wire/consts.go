package wire

// Generic netlink and IPVS constants (include/uapi/linux/ip_vs.h,
// genetlink.h). See docs/kernel.md for the kernel's behaviour around them.
const (
	GenlVersion = 1 // IPVS_GENL_VERSION
	GenlName    = "IPVS"

	GenlIDCtrl         = 0x10 // GENL_ID_CTRL
	CtrlCmdGetFamily   = 3
	CtrlAttrFamilyID   = 1
	CtrlAttrFamilyName = 2
	CtrlAttrVersion    = 3
	CtrlAttrHdrSize    = 4
	CtrlAttrMaxAttr    = 5
	CtrlCmdNewFamily   = 1
	GenlHeaderLen      = 4
	NlmsgHeaderLen     = 16
	NlmsgerrLen        = 4 + NlmsgHeaderLen
	NlaHeaderLen       = 4
	NlaNested          = 0x8000
	NlaNetByteOrder    = 0x4000
	NlaTypeMask        = ^uint16(NlaNested | NlaNetByteOrder)
	NlmsgNoop          = 1
	NlmsgError         = 2
	NlmsgDone          = 3
	NlmsgOverrun       = 4
	NlmFRequest        = 0x1
	NlmFMulti          = 0x2
	NlmFAck            = 0x4
	NlmFDump           = 0x300
	NlmFCapped         = 0x100
	NlmFAckTLVs        = 0x200
)

// IPVS commands.
const (
	CmdNewService = 1
	CmdSetService = 2
	CmdDelService = 3
	CmdGetService = 4
	CmdNewDest    = 5
	CmdSetDest    = 6
	CmdDelDest    = 7
	CmdGetDest    = 8
	CmdNewDaemon  = 9
	CmdDelDaemon  = 10
	CmdGetDaemon  = 11
	CmdSetConfig  = 12
	CmdGetConfig  = 13
	CmdSetInfo    = 14
	CmdGetInfo    = 15
	CmdZero       = 16
	CmdFlush      = 17
)

// Top-level attributes.
const (
	AttrService       = 1
	AttrDest          = 2
	AttrDaemon        = 3
	AttrTimeoutTCP    = 4
	AttrTimeoutTCPFin = 5
	AttrTimeoutUDP    = 6
)

// Service attributes.
const (
	SvcAF        = 1
	SvcProtocol  = 2
	SvcAddr      = 3
	SvcPort      = 4
	SvcFWMark    = 5
	SvcSchedName = 6
	SvcFlags     = 7
	SvcTimeout   = 8
	SvcNetmask   = 9
	SvcStats     = 10
	SvcPEName    = 11
	SvcStats64   = 12
)

// Destination attributes.
const (
	DestAddr         = 1
	DestPort         = 2
	DestFwdMethod    = 3
	DestWeight       = 4
	DestUThresh      = 5
	DestLThresh      = 6
	DestActiveConns  = 7
	DestInactConns   = 8
	DestPersistConns = 9
	DestStats        = 10
	DestAddrFamily   = 11
	DestStats64      = 12
	DestTunType      = 13
	DestTunPort      = 14
	DestTunFlags     = 15
)

// Daemon attributes.
const (
	DaemonState      = 1
	DaemonMcastIfn   = 2
	DaemonSyncID     = 3
	DaemonSyncMaxLen = 4
	DaemonMcastGroup = 5
	DaemonMcastGrp6  = 6
	DaemonMcastPort  = 7
	DaemonMcastTTL   = 8
)

// Stats attributes (same numbers in STATS and STATS64).
const (
	StatsConns    = 1
	StatsInPkts   = 2
	StatsOutPkts  = 3
	StatsInBytes  = 4
	StatsOutBytes = 5
	StatsCPS      = 6
	StatsInPPS    = 7
	StatsOutPPS   = 8
	StatsInBPS    = 9
	StatsOutBPS   = 10
)

// Info attributes.
const (
	InfoVersion     = 1
	InfoConnTabSize = 2
)

// Flag and field masks.
const (
	FlagHashed  = 0x0002 // IP_VS_SVC_F_HASHED: kernel-internal, set on every service it holds
	ForwardMask = 0x7    // IP_VS_CONN_F_FWD_MASK
)
