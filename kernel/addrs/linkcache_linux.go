package addrs

import (
	"encoding/binary"
	"errors"
	"net"
	"sync"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// linkCache keeps the links looked up on the address socket, by name, so
// that a takeover's adds (AddAllAnnounce) send no lookup before the first
// address: a backup's Sync prepares its VIP interfaces (PrepareAnnounce),
// which looks each up and keeps it. The kernel's link notifications of the
// socket's namespace (RTNLGRP_LINK) clear the whole cache: a link that was
// renamed, replaced or changed its hardware address is looked up again. A
// cache that cannot subscribe, or whose subscription ends, keeps nothing.
// A link deleted between a notification and its handling makes the add
// fail with ENODEV; the add then looks the name up and tries again.
type linkCache struct {
	mu     sync.Mutex
	sub    *netlink.Conn // nil: keeps nothing
	gen    uint64        // counts the clears
	byName map[string]*net.Interface
}

// start subscribes to the link notifications of the namespace netns (a
// namespace file descriptor, 0 for the current one); without them the
// cache keeps nothing. deleted (when not nil) is called with the index of
// each link the kernel reports deleted.
func (c *linkCache) start(netns int, deleted func(index int)) {
	sub, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{Groups: unix.RTMGRP_LINK, NetNS: netns})
	if err != nil {
		return
	}
	c.sub = sub
	go c.follow(sub, deleted)
}

// follow clears the cache on each notification (a lost one, ENOBUFS,
// counts as one) until the socket is closed or fails; then the cache
// keeps nothing.
func (c *linkCache) follow(sub *netlink.Conn, deleted func(index int)) {
	for {
		msgs, err := sub.Receive()
		if deleted != nil {
			for _, idx := range deletedLinks(msgs) {
				deleted(idx)
			}
		}
		c.mu.Lock()
		c.gen++
		clear(c.byName)
		if err != nil && !errors.Is(err, unix.ENOBUFS) {
			c.sub = nil
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
	}
}

// get returns the kept link named name.
func (c *linkCache) get(name string) (*net.Interface, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ifi, ok := c.byName[name]
	return ifi, ok
}

// generation returns the number of clears so far, to pass to put.
func (c *linkCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put keeps ifi, looked up after generation returned gen, unless a
// notification came in the meantime or the cache keeps nothing.
func (c *linkCache) put(gen uint64, ifi *net.Interface) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sub == nil || c.gen != gen {
		return
	}
	if c.byName == nil {
		c.byName = map[string]*net.Interface{}
	}
	c.byName[ifi.Name] = ifi
}

// forget drops the link named name (an add found it gone).
func (c *linkCache) forget(name string) {
	c.mu.Lock()
	delete(c.byName, name)
	c.mu.Unlock()
}

// close ends the subscription.
func (c *linkCache) close() {
	c.mu.Lock()
	sub := c.sub
	c.sub = nil
	c.mu.Unlock()
	if sub != nil {
		sub.Close()
	}
}

// deletedLinks returns the indexes of the links msgs report deleted
// (RTM_DELLINK; the index is the ifinfomsg's, after its family, padding
// and type).
func deletedLinks(msgs []netlink.Message) []int {
	var out []int
	for _, m := range msgs {
		if m.Header.Type == unix.RTM_DELLINK && len(m.Data) >= unix.SizeofIfInfomsg {
			out = append(out, int(int32(binary.NativeEndian.Uint32(m.Data[4:8]))))
		}
	}
	return out
}
