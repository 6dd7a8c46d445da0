package addrs

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// batchSize is the most address requests one sendmsg carries: a netlink
// sendmsg may not exceed the socket's send buffer (EMSGSIZE), and the
// answers to a batch, each failed request echoed back, must fit the
// receive buffer or they are lost (ENOBUFS), the acknowledgement that
// ends them included. 128 requests are about 8 KB each way (5,000 IPv6
// requests in one sendmsg failed with EMSGSIZE). A variable for the tests.
var batchSize = 128

// batchReplyTimeout bounds the wait for the kernel's answer to a batch of
// address requests: a batch that gets none is added again one request at
// a time, each with its own answer.
const batchReplyTimeout = 5 * time.Second

// addBatchLocked adds ps to ifi with one sendmsg on the batch socket per
// batchSize prefixes: one RTM_NEWADDR per prefix that asks for no
// acknowledgement, then an NLMSG_NOOP that asks for one. The kernel
// handles the messages of a sendmsg in order, answers each failed one with
// an error and the NOOP with an acknowledgement, so that acknowledgement
// ends the batch's answers. It returns true when every address is there
// (an EEXIST means it already was). Any other error names no address, nor
// does a batch left unanswered or a socket that failed; it returns false
// and the caller adds the prefixes one request at a time to learn which. A
// takeover adds every VIP this way: one system call instead of a request
// and a reply per VIP, done before the first announcement, so that no
// address request competes with the first connections to the new master.
// a.mu must be held.
func (a *linuxAddresses) addBatchLocked(ifi *net.Interface, ps []netip.Prefix) bool {
	if a.bulk == nil || len(ps) == 0 {
		return false
	}
	ok := true
	for chunk := range slices.Chunk(ps, batchSize) {
		if a.bulk == nil {
			return false
		}
		ok = a.sendBatchLocked(ifi, chunk) && ok
	}
	return ok
}

// sendBatchLocked is addBatchLocked for at most batchSize prefixes: one
// sendmsg and the answers up to its acknowledgement.
func (a *linuxAddresses) sendBatchLocked(ifi *net.Interface, ps []netip.Prefix) bool {
	msgs := make([]netlink.Message, 0, len(ps)+1)
	for _, p := range ps {
		b, err := addressMessage(ifi, p).MarshalBinary()
		if err != nil {
			return false
		}
		msgs = append(msgs, netlink.Message{
			Header: netlink.Header{Type: unix.RTM_NEWADDR, Flags: netlink.Request | netlink.Create | netlink.Excl},
			Data:   b,
		})
	}
	msgs = append(msgs, netlink.Message{Header: netlink.Header{Type: netlink.Noop, Flags: netlink.Request | netlink.Acknowledge}})
	sent, err := a.bulk.SendMessages(msgs)
	if err != nil {
		a.dropBulkLocked()
		return false
	}
	fence := sent[len(sent)-1].Header.Sequence
	if err := a.bulk.SetReadDeadline(time.Now().Add(batchReplyTimeout)); err != nil {
		a.dropBulkLocked()
		return false
	}
	ok := true
	for {
		replies, err := a.bulk.Receive()
		switch {
		case errors.Is(err, unix.EEXIST):
			continue
		case isErrno(err):
			ok = false // a request of the batch failed; which one, only one at a time tells
			continue
		case err != nil:
			// No answer in time, or a broken socket: what the kernel did
			// is unknown, and the socket may hold late answers.
			a.dropBulkLocked()
			return false
		}
		for _, r := range replies {
			if r.Header.Type == netlink.Error && r.Header.Sequence == fence {
				return ok
			}
		}
	}
}

// addBatch looks ifname up and adds ps with addBatchLocked; it returns the
// interface when every address is there, nil when the caller must add
// them one request at a time.
func (a *linuxAddresses) addBatch(ifname string, ps []netip.Prefix) *net.Interface {
	a.mu.Lock()
	defer a.mu.Unlock()
	ifi, _, err := a.keptLinkLocked(ifname)
	if err != nil || !a.addBatchLocked(ifi, ps) {
		return nil
	}
	return ifi
}

// isErrno reports whether err is a kernel error number: the answer to one
// of the batch's requests, not a failure of the socket.
func isErrno(err error) bool {
	var errno unix.Errno
	return errors.As(err, &errno)
}

// dialBulk opens the batch socket in netns, beside the request socket:
// rtnetlink's connection sends one message per system call.
func dialBulk(netns int) (*netlink.Conn, error) {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: netns})
	if err != nil {
		return nil, fmt.Errorf("open rtnetlink batch socket: %w", err)
	}
	return c, nil
}

// dropBulkLocked closes the batch socket after a failure; later batches
// go one request at a time. a.mu must be held.
func (a *linuxAddresses) dropBulkLocked() {
	if a.bulk != nil {
		a.bulk.Close()
		a.bulk = nil
	}
}
