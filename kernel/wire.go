package kernel

// Generic netlink and IPVS constants (include/uapi/linux/ip_vs.h,
// genetlink.h). See docs/kernel.md for the kernel's behaviour around them.
const (
	genlVersion = 1 // IPVS_GENL_VERSION
	genlName    = "IPVS"

	genlIDCtrl          = 0x10 // GENL_ID_CTRL
	ctrlCmdGetFamily    = 3
	ctrlAttrFamilyID    = 1
	ctrlAttrFamilyName  = 2
	ctrlAttrVersion     = 3
	ctrlAttrHdrSize     = 4
	ctrlAttrMaxAttr     = 5
	ctrlCmdNewFamily    = 1
	genlHeaderLen       = 4
	nlmsgHeaderLen      = 16
	nlmsgerrLen         = 4 + nlmsgHeaderLen
	nlaHeaderLen        = 4
	nlaNested           = 0x8000
	nlaNetByteOrder     = 0x4000
	nlaTypeMask         = ^uint16(nlaNested | nlaNetByteOrder)
	nlmsgNoop           = 1
	nlmsgError          = 2
	nlmsgDone           = 3
	nlmsgOverrun        = 4
	nlmFRequest         = 0x1
	nlmFMulti           = 0x2
	nlmFAck             = 0x4
	nlmFDump            = 0x300
	nlmFCapped          = 0x100
	nlmFAckTLVs         = 0x200
	maxSchedNameLen     = 15 // IP_VS_SCHEDNAME_MAXLEN - 1
	maxPENameLen        = 15 // IP_VS_PENAME_MAXLEN - 1
	maxIfNameLen        = 15
	dumpRecvBufferBytes = 64 << 10 // ≥ 32 KiB: the kernel sizes dump datagrams after it
)

// IPVS commands.
const (
	cmdNewService = 1
	cmdSetService = 2
	cmdDelService = 3
	cmdGetService = 4
	cmdNewDest    = 5
	cmdSetDest    = 6
	cmdDelDest    = 7
	cmdGetDest    = 8
	cmdNewDaemon  = 9
	cmdDelDaemon  = 10
	cmdGetDaemon  = 11
	cmdSetConfig  = 12
	cmdGetConfig  = 13
	cmdSetInfo    = 14
	cmdGetInfo    = 15
	cmdZero       = 16
	cmdFlush      = 17
)

// Top-level attributes.
const (
	attrService       = 1
	attrDest          = 2
	attrDaemon        = 3
	attrTimeoutTCP    = 4
	attrTimeoutTCPFin = 5
	attrTimeoutUDP    = 6
)

// Service attributes.
const (
	svcAF        = 1
	svcProtocol  = 2
	svcAddr      = 3
	svcPort      = 4
	svcFWMark    = 5
	svcSchedName = 6
	svcFlags     = 7
	svcTimeout   = 8
	svcNetmask   = 9
	svcStats     = 10
	svcPEName    = 11
	svcStats64   = 12
)

// Destination attributes.
const (
	destAddr         = 1
	destPort         = 2
	destFwdMethod    = 3
	destWeight       = 4
	destUThresh      = 5
	destLThresh      = 6
	destActiveConns  = 7
	destInactConns   = 8
	destPersistConns = 9
	destStats        = 10
	destAddrFamily   = 11
	destStats64      = 12
	destTunType      = 13
	destTunPort      = 14
	destTunFlags     = 15
)

// Daemon attributes.
const (
	daemonState      = 1
	daemonMcastIfn   = 2
	daemonSyncID     = 3
	daemonSyncMaxLen = 4
	daemonMcastGroup = 5
	daemonMcastGrp6  = 6
	daemonMcastPort  = 7
	daemonMcastTTL   = 8
)

// Stats attributes (same numbers in STATS and STATS64).
const (
	statsConns    = 1
	statsInPkts   = 2
	statsOutPkts  = 3
	statsInBytes  = 4
	statsOutBytes = 5
	statsCPS      = 6
	statsInPPS    = 7
	statsOutPPS   = 8
	statsInBPS    = 9
	statsOutBPS   = 10
)

// Info attributes.
const (
	infoVersion     = 1
	infoConnTabSize = 2
)
