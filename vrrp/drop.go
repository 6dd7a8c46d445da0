package vrrp

// DropReason says why a received packet was discarded. It is also an error
// value, so a decode failure can be checked with errors.Is(err, DropChecksum).
type DropReason uint8

// Reasons a received packet is dropped, in the order the RFC 9568 section
// 7.1 checks them.
const (
	DropTruncated DropReason = iota // shorter than the fixed header
	DropTTL                         // IPv4 TTL or IPv6 hop limit is not 255
	DropVersion                     // version field is not 3
	DropType                        // type field is not 1 (ADVERTISEMENT)
	DropChecksum                    // checksum over the pseudo-header fails
	DropAddrCount                   // Count IPvX Addr disagrees with the length
	DropInterval                    // Max Advert Interval is zero
	DropVRID                        // VRID is not ours
	DropFamily                      // address family differs from ours
	DropOwner                       // we own the addresses (priority 255)
	DropSelf                        // our own packet looped back
	DropPeer                        // unicast mode: the sender is not a configured peer
	DropDest                        // destination is not the group (multicast) or is it (unicast)
	numDropReasons
)

var dropNames = [numDropReasons]string{
	DropTruncated: "truncated",
	DropTTL:       "ttl",
	DropVersion:   "version",
	DropType:      "type",
	DropChecksum:  "checksum",
	DropAddrCount: "address_count",
	DropInterval:  "interval",
	DropVRID:      "vrid",
	DropFamily:    "family",
	DropOwner:     "owner",
	DropSelf:      "self",
	DropPeer:      "peer",
	DropDest:      "destination",
}

// String returns the reason's metric label, such as "checksum".
func (r DropReason) String() string {
	if r < numDropReasons {
		return dropNames[r]
	}
	return "unknown"
}

// Error makes a DropReason usable as a sentinel error.
func (r DropReason) Error() string { return "vrrp packet dropped: " + r.String() }

// DropReasons lists every reason, for exporting a complete set of counters.
func DropReasons() []DropReason {
	out := make([]DropReason, 0, numDropReasons)
	for r := DropReason(0); r < numDropReasons; r++ {
		out = append(out, r)
	}
	return out
}
