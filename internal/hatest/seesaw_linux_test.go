package hatest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/seesaw-lb/seesaw/internal/vmlab"
)

// seesawNode renders lb i's node.yaml: VRRP over multicast on eth0 with
// 1 s adverts (shorter ones flap under TCG on a loaded host: the VM
// stalls for up to a second), the sync daemon on, lb1 preferred and
// preempting.
func seesawNode(i int) string {
	return vmlab.NodeYAML(fmt.Sprintf("lb%d", i+1), "192.0.2.0/24", fmt.Sprintf(`  mass_delete: {max_share: 0.5}
  vrrp:
    vrid: 60
    priority: %d
    advert_interval: 1s
    preempt: true
    sync_daemon: {interface: eth0, sync_id: 60}
`, 200-100*i))
}

// seesawServices renders the model's services.yaml.
func seesawServices(m model) string {
	if m.Invalid {
		return "services:\n  - name: web-dr\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 70000}]\n"
	}
	var b strings.Builder
	b.WriteString("services:\n")
	for _, s := range m.services() {
		fmt.Fprintf(&b, "  - name: %s\n    vip: %s\n    ports: [{proto: tcp, port: %d}]\n    scheduler: wrr\n    forward: %s\n",
			s.Name, s.VIP, s.Port, s.Forward)
		if s.Checked {
			b.WriteString("    drain_timeout: 3s\n")
			b.WriteString("    checks: [{type: tcp, interval: 1s, timeout: 500ms, rise: 1, fall: 2}]\n")
		}
		if len(s.Backends) == 0 {
			continue
		}
		b.WriteString("    backends:\n")
		for j, be := range s.Backends {
			fmt.Fprintf(&b, "      - {address: %s, weight: %d}\n", be, s.Weights[j])
		}
	}
	return b.String()
}

// seesawPair runs seesaw-reconcile in both LB namespaces. Each node's
// config directory is a symlink (conf -> gen-N) so that a push can swap it.
type seesawPair struct {
	t      *testing.T
	dir    [2]string
	gen    [2]int
	daemon [2]*vmlab.Daemon
}

func newSeesawPair(t *testing.T) *seesawPair {
	p := &seesawPair{t: t}
	for i := range p.dir {
		p.dir[i] = filepath.Join(t.TempDir(), fmt.Sprintf("lb%d", i+1))
		must(t, os.MkdirAll(p.dir[i], 0o755))
		p.writeGen(i, model{})
		p.daemon[i] = &vmlab.Daemon{NS: lbNS[i], ConfigDir: filepath.Join(p.dir[i], "conf"), Socket: filepath.Join(p.dir[i], "ctl.sock")}
	}
	return p
}

func (p *seesawPair) Name() string { return "seesaw" }

// writeGen writes the next generation directory and points conf at it.
func (p *seesawPair) writeGen(i int, m model) {
	p.gen[i]++
	gen := filepath.Join(p.dir[i], fmt.Sprintf("gen-%d", p.gen[i]))
	must(p.t, os.MkdirAll(gen, 0o755))
	must(p.t, os.WriteFile(filepath.Join(gen, "node.yaml"), []byte(seesawNode(i)), 0o644))
	must(p.t, os.WriteFile(filepath.Join(gen, "services.yaml"), []byte(seesawServices(m)), 0o644))
	tmp := filepath.Join(p.dir[i], "conf.tmp")
	os.Remove(tmp)
	must(p.t, os.Symlink(filepath.Base(gen), tmp))
	must(p.t, os.Rename(tmp, filepath.Join(p.dir[i], "conf")))
}

func (p *seesawPair) Start(i int)                         { p.daemon[i].Start(p.t) }
func (p *seesawPair) Running(i int) bool                  { return p.daemon[i].Running() }
func (p *seesawPair) Stop(i int, sig syscall.Signal) bool { return p.daemon[i].Stop(sig) }
func (p *seesawPair) Log(i int) string                    { return p.daemon[i].Log() }

// Push writes services.yaml in place (temp file and rename) in the
// current generation, as an editor or a config-management tool would.
func (p *seesawPair) Push(i int, m model) {
	conf := filepath.Join(p.dir[i], "conf")
	tmp := filepath.Join(conf, ".services.yaml.tmp")
	must(p.t, os.WriteFile(tmp, []byte(seesawServices(m)), 0o644))
	must(p.t, os.Rename(tmp, filepath.Join(conf, "services.yaml")))
}

// PushSymlink writes a new generation and swaps the conf symlink to it.
func (p *seesawPair) PushSymlink(i int, m model) { p.writeGen(i, m) }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
