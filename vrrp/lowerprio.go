package vrrp

import "net/netip"

// LowerPriorityAdverts delivers the primary address of a router whose
// advert this node read as Master and outranked: a lower priority, or the
// same priority from a lower primary address (RFC 9568 6.4.3). The node
// discards such an advert and stays Master; the other router is a master
// that has not yet read this node's adverts (it resumed, or the segment
// was split) and may have moved the neighbours to itself with its own
// gratuitous ARPs, so a daemon announces its VIPs again (keepalived's
// garp_lower_prio_repeat). Reports are coalesced: the channel holds the
// latest address not yet taken and never blocks the node; each advert is
// counted in Stats.LowerPriorityAdverts whether or not it is taken. The
// channel is never closed.
func (n *Node) LowerPriorityAdverts() <-chan netip.Addr { return n.lower }

// noteLowerPriority counts an outranked router's advert read as Master
// and offers src to LowerPriorityAdverts, replacing an address not yet
// taken. Only the node's goroutine sends, so the retry cannot block.
func (n *Node) noteLowerPriority(src netip.Addr) {
	n.c.lowerPriority.Add(1)
	for {
		select {
		case n.lower <- src:
			return
		default:
		}
		select {
		case <-n.lower: // taken by no one yet: the newer report replaces it
		default:
		}
	}
}
