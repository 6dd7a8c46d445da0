package daemon

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// TestControlServesProfiles: the control socket serves the runtime's
// profiles to a peer that may change state, and refuses others.
func TestControlServesProfiles(t *testing.T) {
	w := loadedWiring(t, pageConfig)
	var logs syncBuffer
	w.log = slog.New(slog.NewTextHandler(&logs, nil))
	h := w.controlHandlerFor(controlAccess{group: "lb", gid: 4242424})

	req := httptest.NewRequest(http.MethodGet, "/debug/pprof/heap", nil)
	req = req.WithContext(context.WithValue(req.Context(), peerKey{}, peer{known: true, pid: 1, uid: os.Geteuid(), gid: os.Getegid()}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !bytes.HasPrefix(rec.Body.Bytes(), []byte{0x1f, 0x8b}) {
		t.Fatalf("heap profile for the daemon's user: %d, %d bytes starting %q; want 200 and a gzipped profile", rec.Code, rec.Body.Len(), rec.Body.Bytes()[:min(4, rec.Body.Len())])
	}
	if !strings.Contains(logs.String(), `msg="control profile" path=/debug/pprof/heap`) {
		t.Errorf("the profile request is not logged:\n%s", logs.String())
	}

	if os.Geteuid() == 65534 {
		return // runs as nobody, the refused peer's uid
	}
	req = httptest.NewRequest(http.MethodGet, "/debug/pprof/profile?seconds=1", nil)
	req = req.WithContext(context.WithValue(req.Context(), peerKey{}, peer{known: true, pid: 4321, uid: 65534, gid: 65534}))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "permission denied") {
		t.Fatalf("CPU profile for a peer without access: %d %s; want 403, permission denied", rec.Code, rec.Body)
	}
}
