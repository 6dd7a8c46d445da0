package daemon

import (
	"fmt"
	"os"
	"os/user"
	"slices"
	"strconv"
)

// controlAccess says who may send state-changing commands (drain, enable,
// failover) over the control socket: root, the daemon's own user, and the
// members of group when one is set. Reading the status needs only a
// connection, which the socket's mode limits to the same people.
type controlAccess struct {
	group string // "" when none
	gid   int    // -1 when none
}

// noGroup is controlAccess without a group: root and the daemon's user.
var noGroup = controlAccess{gid: -1}

// lookupControlAccess resolves group (a name or a numeric id); "" is none.
// A numeric id needs no group database (a container or a minimal host may
// have no /etc/group).
func lookupControlAccess(group string) (controlAccess, error) {
	if group == "" {
		return noGroup, nil
	}
	if gid, err := strconv.Atoi(group); err == nil && gid >= 0 {
		if g, err := user.LookupGroupId(group); err == nil {
			return controlAccess{group: g.Name, gid: gid}, nil
		}
		return controlAccess{group: group, gid: gid}, nil
	}
	g, err := user.LookupGroup(group)
	if err != nil {
		return noGroup, fmt.Errorf("control group %s: %w", group, err)
	}
	gid, err := strconv.Atoi(g.Gid)
	if err != nil {
		return noGroup, fmt.Errorf("control group %s: gid %q: %w", group, g.Gid, err)
	}
	return controlAccess{group: g.Name, gid: gid}, nil
}

// peer is the process at the other end of a control connection, as the
// kernel reports it (SO_PEERCRED); known is false where it cannot.
type peer struct {
	known         bool
	pid, uid, gid int
}

// allows reports whether p may change state, and if not, why.
func (a controlAccess) allows(p peer) error {
	switch {
	case !p.known:
		return nil // no peer credentials on this platform: the socket's mode decides
	case p.uid == 0 || p.uid == os.Geteuid():
		return nil
	case a.gid >= 0 && (p.gid == a.gid || memberOf(p.uid, a.gid)):
		return nil
	case a.gid >= 0:
		return fmt.Errorf("permission denied: uid %d is neither root nor in group %s", p.uid, a.group)
	}
	return fmt.Errorf("permission denied: uid %d is not root", p.uid)
}

// memberOf reports whether user uid has gid among its groups.
func memberOf(uid, gid int) bool {
	u, err := user.LookupId(strconv.Itoa(uid))
	if err != nil {
		return false
	}
	ids, err := u.GroupIds()
	return err == nil && slices.Contains(ids, strconv.Itoa(gid))
}
