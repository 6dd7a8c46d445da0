package daemon

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

func TestControlAccessAllows(t *testing.T) {
	const nobody, nogroup, other = 65534, 65534, 4242424
	self := os.Geteuid()
	for _, tc := range []struct {
		name   string
		access controlAccess
		peer   peer
		ok     bool
	}{
		{"root", noGroup, peer{known: true, uid: 0, gid: 0}, true},
		{"the daemon's user", noGroup, peer{known: true, uid: self, gid: os.Getegid()}, true},
		{"another user without a group", noGroup, peer{known: true, uid: nobody, gid: nogroup}, false},
		{"another user in the group (primary)", controlAccess{group: "lb", gid: nogroup}, peer{known: true, uid: nobody, gid: nogroup}, true},
		{"another user not in the group", controlAccess{group: "lb", gid: other}, peer{known: true, uid: nobody, gid: nogroup}, false},
		{"no peer credentials: the socket's mode decides", controlAccess{group: "lb", gid: other}, peer{}, true},
	} {
		if self == nobody && !tc.ok {
			continue // the test runs as nobody: every refusal case is the daemon's own user
		}
		err := tc.access.allows(tc.peer)
		if (err == nil) != tc.ok {
			t.Errorf("%s: allows = %v, want allowed %v", tc.name, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("%s: error %q does not say permission denied", tc.name, err)
		}
	}
}

func TestControlRefusesAPeerWithoutAccess(t *testing.T) {
	if os.Geteuid() == 65534 {
		t.Skip("runs as nobody, the refused peer's uid")
	}
	w := loadedWiring(t, pageConfig)
	var logs syncBuffer
	w.log = slog.New(slog.NewTextHandler(&logs, nil))
	before := w.status().Drained
	req := httptest.NewRequest(http.MethodPost, "/drain?backend=127.0.0.3", nil)
	req = req.WithContext(context.WithValue(req.Context(), peerKey{}, peer{known: true, pid: 4321, uid: 65534, gid: 65534}))
	rec := httptest.NewRecorder()
	w.controlHandlerFor(controlAccess{group: "lb", gid: 4242424}).ServeHTTP(rec, req)
	if rec.Code == http.StatusOK || !strings.Contains(rec.Body.String(), "drain: permission denied: uid 65534 is neither root nor in group lb") {
		t.Fatalf("drain by a peer without access: %d %s", rec.Code, rec.Body)
	}
	if after := w.status().Drained; len(after) != len(before) {
		t.Fatalf("a refused drain changed the overrides: %q -> %q", before, after)
	}
	if l := logs.String(); !strings.Contains(l, `msg="control command refused" command=drain backend=127.0.0.3 peer_known=true peer_pid=4321 peer_uid=65534 peer_gid=65534`) {
		t.Fatalf("the refusal is not logged with the peer:\n%s", l)
	}
}

// TestControlGroupByNumberNeedsNoGroupDatabase: a numeric group resolves to
// that gid even when no group database names it.
func TestControlGroupByNumberNeedsNoGroupDatabase(t *testing.T) {
	a, err := lookupControlAccess("4242424")
	if err != nil || a.gid != 4242424 {
		t.Fatalf("lookupControlAccess(4242424) = %+v, %v; want gid 4242424", a, err)
	}
	if _, err := lookupControlAccess("no-such-group-seesaw"); err == nil {
		t.Fatal("an unknown group name resolved")
	}
}
