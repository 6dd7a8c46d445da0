package daemon

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/netnsexec"
)

// The load of the failover benchmark's master: failLoadServices services of
// 10 backends, each backend checked by tcp every second, against
// failLoadPorts listeners on every address of 127.0.0.0/8 in the master's
// namespace; the services file is rewritten every failReloadEvery.
const (
	failLoadServices = 1000
	failLoadPorts    = 4
	failLoadBasePort = 9000
	failReloadEvery  = 5 * time.Second
)

// failLoadFile renders the 1,000 services; reload changes the weight of
// the first backend of one service, so every rewrite is a real reload.
func failLoadFile(reload int) string {
	var b strings.Builder
	b.WriteString("services:\n")
	edited := reload % failLoadServices
	for i := range failLoadServices {
		fmt.Fprintf(&b, "  - name: s%04d\n    vip: 192.0.2.%d\n    ports: [{proto: tcp, port: %d}]\n", i, 1+i/250, 1000+i%250)
		b.WriteString("    checks: [{type: tcp, interval: 1s, timeout: 500ms}]\n    backends:\n")
		for j := range 10 {
			k := i*10 + j
			w := 1
			if i == edited && j == 0 {
				w = 2 + reload%50
			}
			fmt.Fprintf(&b, "      - {address: 127.1.%d.%d, port: %d, weight: %d}\n", k/250, 1+k%250, failLoadBasePort+k%failLoadPorts, w)
		}
	}
	return b.String()
}

// writeLoadFile replaces dir/services.yaml with reload's rendering in one
// rename, so the daemon never reads a half-written file.
func writeLoadFile(t *testing.T, dir string, reload int) {
	t.Helper()
	replaceFile(t, dir, "services.yaml", failLoadFile(reload))
}

// reloadUntil rewrites the services file every failReloadEvery until end
// and returns the number of rewrites.
func reloadUntil(t *testing.T, dir string, end time.Time) int {
	n := 0
	for {
		next := time.Now().Add(failReloadEvery)
		if next.After(end) {
			time.Sleep(time.Until(end))
			return n
		}
		time.Sleep(time.Until(next))
		n++
		writeLoadFile(t, dir, n)
	}
}

// checkTargets opens the check listeners (0.0.0.0, every port) in ns; the
// test process accepts and closes their connections until the test ends.
func checkTargets(t *testing.T, ns string) {
	t.Helper()
	for p := range failLoadPorts {
		var ln net.Listener
		err := netnsexec.Do(ns, func() (err error) {
			ln, err = net.Listen("tcp4", fmt.Sprintf("0.0.0.0:%d", failLoadBasePort+p))
			return err
		})
		if err != nil {
			t.Fatalf("listen in %s: %v", ns, err)
		}
		go acceptAndClose(ln)
		t.Cleanup(func() { ln.Close() })
	}
}

// loadRan fails t unless the daemon at socket reports every backend
// checked and healthy, and a generation for every rewrite it was given.
func loadRan(t *testing.T, name, socket string, reloads int) {
	t.Helper()
	var r StatusReport
	var err error
	// The last rewrite may be in its debounce or load when the window ends.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		r, err = NewClient(socket).Status()
		if err != nil || r.Generation >= reloads+1 || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Errorf("%s status: %v", name, err)
		return
	}
	var healthy, checked int
	for _, s := range r.Services {
		for _, b := range s.Backends {
			if b.Healthy {
				healthy++
			}
			if b.LastCheck != "" {
				checked++
			}
		}
	}
	if want := failLoadServices * 10; healthy != want || checked != want {
		t.Errorf("%s: %d backends healthy and %d checked of %d", name, healthy, checked, want)
	}
	if r.Generation < reloads+1 {
		t.Errorf("%s: generation %d after %d rewrites", name, r.Generation, reloads)
	}
}
