package kernel

// Stats are the traffic counters of a service or destination, relative to the
// last Zero. The kernel sends a 64-bit and a 32-bit set (older kernels only
// the 32-bit one); the decoder prefers the 64-bit set and falls back.
type Stats struct {
	Conns      uint64 // connections scheduled
	InPackets  uint64
	OutPackets uint64
	InBytes    uint64
	OutBytes   uint64
	CPS        uint64 // connections per second
	InPPS      uint64 // incoming packets per second
	OutPPS     uint64
	InBPS      uint64 // incoming bytes per second
	OutBPS     uint64
	Is64       bool // true when the counters came from STATS64
}
