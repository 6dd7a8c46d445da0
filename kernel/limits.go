package kernel

// Kernel limits and buffer sizes the client checks or uses.
const (
	maxSchedNameLen     = 15 // IP_VS_SCHEDNAME_MAXLEN - 1
	maxPENameLen        = 15 // IP_VS_PENAME_MAXLEN - 1
	maxIfNameLen        = 15
	dumpRecvBufferBytes = 64 << 10 // ≥ 32 KiB: the kernel sizes dump datagrams after it
)
