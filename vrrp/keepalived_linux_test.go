package vrrp

import (
	"bufio"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"

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
	exited chan struct{}
}

var kaConf = template.Must(template.New("ka").Parse(`global_defs {
	router_id {{.ID}}
	vrrp_version 3
}
vrrp_instance VI_60 {
	state BACKUP
	interface eth0
	virtual_router_id {{.Cfg.VRID}}
	priority {{.Cfg.Priority}}
	advert_int {{.Interval}}
	{{if not .Cfg.Preempt}}nopreempt{{end}}
	virtual_ipaddress {
{{range .Cfg.VIPs}}		{{.}}
{{end}}	}
{{if .Cfg.Peers}}	unicast_src_ip {{.Src}}
{{if .UnicastTTL}}	unicast_ttl {{.UnicastTTL}}
{{end}}	unicast_peer {
{{range .Cfg.Peers}}		{{.}}
{{end}}	}
{{end}}}
`))

// startKeepalived runs keepalived in ns with the equivalent of cfg, whose
// node would send from src. Unicast adverts get hop limit 255.
func startKeepalived(t testing.TB, ns string, cfg Config, src netip.Addr) *keepalived {
	return startKeepalivedTTL(t, ns, cfg, src, 255)
}

// startKeepalivedTTL is startKeepalived with unicast_ttl ttl (0: keepalived's default).
func startKeepalivedTTL(t testing.TB, ns string, cfg Config, src netip.Addr, ttl int) *keepalived {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "keepalived.conf")
	f, err := os.Create(conf)
	if err != nil {
		t.Fatal(err)
	}
	err = kaConf.Execute(f, map[string]any{
		"ID": ns, "Cfg": cfg, "Src": src, "UnicastTTL": ttl,
		"Interval": strconv.FormatFloat(cfg.AdvertInterval.Seconds(), 'f', -1, 64),
	})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	k := &keepalived{t: t, dir: dir, lines: make(chan string, 4096), exited: make(chan struct{})}
	k.cmd = exec.Command("ip", "netns", "exec", ns, "keepalived", "--dont-fork", "--log-console", "--log-detail",
		"--no-syslog", "--dont-respawn", "--vrrp", "--use-file", conf,
		"--pid", filepath.Join(dir, "keepalived.pid"), "--vrrp_pid", filepath.Join(dir, "vrrp.pid"))
	k.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the test
	out, err := k.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	k.cmd.Stderr = k.cmd.Stdout
	if err := k.cmd.Start(); err != nil {
		t.Fatalf("start keepalived in %s: %v", ns, err)
	}
	go func() {
		defer close(k.exited)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			k.mu.Lock()
			k.log = append(k.log, sc.Text())
			k.mu.Unlock()
			select {
			case k.lines <- sc.Text():
			default:
			}
		}
		k.cmd.Wait()
	}()
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
	testenv.Eventually(k.t, time.Second, func() bool {
		b, err := os.ReadFile(filepath.Join(k.dir, "vrrp.pid"))
		p, perr := strconv.Atoi(strings.TrimSpace(string(b)))
		pid = p
		return err == nil && perr == nil
	}, "keepalived's vrrp pid file")
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

func (k *keepalived) vrrpPIDIfAny() int {
	b, _ := os.ReadFile(filepath.Join(k.dir, "vrrp.pid"))
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
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
