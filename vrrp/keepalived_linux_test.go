package vrrp

import (
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/kapeer"
	"github.com/seesaw-lb/seesaw/internal/netnsexec"
	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// keepalived is Debian's keepalived running the VRRP subsystem only, in a
// namespace, with its own config and pid files, logging to the console.
type keepalived struct {
	t      testing.TB
	cmd    *exec.Cmd
	dir    string
	mu     sync.Mutex
	log    []string
	lines  chan string
	exited <-chan struct{}
}

// startKeepalived runs keepalived in ns with the equivalent of cfg, whose
// node would send from src. Unicast adverts get hop limit 255.
func startKeepalived(t testing.TB, ns string, cfg Config, src netip.Addr) *keepalived {
	return startKeepalivedTTL(t, ns, cfg, src, 255)
}

// startKeepalivedTTL is startKeepalived with unicast_ttl ttl (0: keepalived's default).
func startKeepalivedTTL(t testing.TB, ns string, cfg Config, src netip.Addr, ttl int) *keepalived {
	t.Helper()
	dir := t.TempDir()
	in := kapeer.Instance{Name: "60", VRID: int(cfg.VRID), Priority: int(cfg.Priority), Advert: cfg.AdvertInterval,
		NoPreempt: !cfg.Preempt, VIPs: strs(cfg.VIPs)}
	if len(cfg.Peers) > 0 {
		in.UnicastPeers, in.UnicastSrc, in.UnicastTTL = strs(cfg.Peers), src.String(), ttl
	}
	conf := kapeer.Peer{RouterID: ns, Instances: []kapeer.Instance{in}}.Conf()
	if err := os.WriteFile(filepath.Join(dir, kapeer.ConfFile), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	k := &keepalived{t: t, dir: dir, lines: make(chan string, 4096)}
	k.cmd = kapeer.Command(ns, dir)
	k.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the test
	k.cmd.Stdout = netnsexec.Lines(func(line []byte) {
		l := string(line)
		k.mu.Lock()
		k.log = append(k.log, l)
		k.mu.Unlock()
		select {
		case k.lines <- l:
		default:
		}
	})
	k.cmd.Stderr = k.cmd.Stdout
	k.cmd.WaitDelay = 5 * time.Second         // keepalived's children may outlive it a moment
	exited, err := netnsexec.StartHeld(k.cmd) // Pdeathsig follows the forking thread
	if err != nil {
		t.Fatalf("start keepalived in %s: %v", ns, err)
	}
	k.exited = exited
	t.Cleanup(func() {
		k.crash()
		if t.Failed() || os.Getenv("KA_LOG") != "" {
			t.Logf("keepalived log:\n%s", strings.Join(k.logLines(), "\n"))
		}
	})
	return k
}

func (k *keepalived) logLines() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.log...)
}

// waitState waits for keepalived to log entering state ("MASTER", "BACKUP").
func (k *keepalived) waitState(state string, d time.Duration) {
	k.t.Helper()
	want := "Entering " + state + " STATE"
	deadline := time.After(d)
	for {
		select {
		case l := <-k.lines:
			if strings.Contains(l, want) {
				return
			}
		case <-k.exited:
			k.t.Fatalf("keepalived exited while waiting for %q", want)
		case <-deadline:
			k.t.Fatalf("keepalived: no %q within %v", want, d)
		}
	}
}

// quiet fails if keepalived changes state within d.
func (k *keepalived) quiet(d time.Duration) {
	k.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case l := <-k.lines:
			if strings.Contains(l, "Entering ") {
				k.t.Fatalf("keepalived changed state: %s", l)
			}
		case <-deadline:
			return
		}
	}
}

// vrrpPID is the pid of keepalived's VRRP child process.
func (k *keepalived) vrrpPID() int {
	var pid int
	testenv.Eventually(k.t, time.Second, func() bool { pid = kapeer.VRRPPID(k.dir); return pid > 0 }, "keepalived's vrrp pid file")
	return pid
}

// crash kills the VRRP process with SIGKILL (no priority-0 advert).
func (k *keepalived) crash() {
	if pid := k.vrrpPIDIfAny(); pid > 0 {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	k.cmd.Process.Signal(syscall.SIGKILL)
	<-k.exited
}

func (k *keepalived) vrrpPIDIfAny() int { return kapeer.VRRPPID(k.dir) }

// strs is each address as text.
func strs(as []netip.Addr) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}

// stop shuts keepalived down gracefully (it sends priority 0 as master).
func (k *keepalived) stop() {
	k.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-k.exited:
	case <-time.After(10 * time.Second):
		k.t.Fatal("keepalived did not stop within 10s")
	}
}

// kaInvalid matches keepalived's messages about packets it rejected.
var kaInvalid = regexp.MustCompile(`(?i)invalid|wrong VRRP|mismatch|expected \d+ VIPs|associated with VRID|vrrp packet from .* too|icast packet from|not a unicast peer|Dropping packet`)

// noInvalid fails if keepalived logged rejecting any packet.
func (k *keepalived) noInvalid() {
	k.t.Helper()
	for _, l := range k.logLines() {
		if kaInvalid.MatchString(l) {
			k.t.Errorf("keepalived rejected a packet: %s", l)
		}
	}
}

func requireKeepalived(t testing.TB) {
	requireNetns(t, "keepalived")
}
