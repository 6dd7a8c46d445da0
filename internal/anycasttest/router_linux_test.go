package anycasttest

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/internal/netnsexec"
	"github.com/seesaw-lb/seesaw/internal/vmlab"
)

// birdConf is the router: BIRD 2 in AS 65000 accepting any node of
// 203.0.113.0/24 as an eBGP peer with a 3 s hold time, keeping only host
// routes, and installing them into the kernel as one multipath route per
// VIP (merge paths). docs/anycast.md shows it.
const birdConf = `log stderr { info, warning, error, fatal };
router id 203.0.113.254;
protocol device { scan time 1; }
protocol kernel {
  ipv4 { import none; export all; };
  merge paths on limit 16;
}
filter host4 { if net ~ [ 192.0.2.0/24{32,32} ] then accept; reject; }
protocol bgp lbs {
  local 203.0.113.254 as 65000;
  neighbor range 203.0.113.0/24 external;
  dynamic name "lb";
  hold time 3;
  error wait time 1, 5;
  ipv4 { import filter host4; export none; };
}
`

// startBird runs BIRD in the router namespace; it returns the path of its
// control socket (for birdc) and its process.
func startBird(t *testing.T) (string, *vmlab.Proc) {
	dir := t.TempDir()
	conf, sock := filepath.Join(dir, "bird.conf"), filepath.Join(dir, "bird.ctl")
	must(t, os.WriteFile(conf, []byte(birdConf), 0o644))
	p := vmlab.Start(t, routerNS, nil, "bird", "-f", "-c", conf, "-s", sock, "-P", filepath.Join(dir, "bird.pid"))
	for end := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if exec.Command("birdc", "-s", sock, "show", "status").Run() == nil {
			return sock, p
		}
		if !p.Running() || time.Now().After(end) {
			t.Fatalf("bird did not start: %s", p.Output())
		}
	}
}

// birdRoutes is BIRD's own view of the VIP's routes, for the log.
func birdRoutes(sock string) string {
	out, _ := exec.Command("birdc", "-s", sock, "show", "route", "for", vip, "all").CombinedOutput()
	return string(out)
}

// birdProtocols is BIRD's view of its sessions, for the log.
func birdProtocols(sock string) string {
	out, _ := exec.Command("birdc", "-s", sock, "show", "protocols").CombinedOutput()
	return string(out)
}

// routeReader reads the router's kernel route to the VIP over an
// rtnetlink socket opened inside the router namespace.
type routeReader struct {
	mu   sync.Mutex
	conn *rtnetlink.Conn
}

func newRouteReader(t *testing.T) *routeReader {
	r := &routeReader{}
	must(t, netnsexec.Do(routerNS, func() (err error) {
		r.conn, err = rtnetlink.Dial(nil)
		return err
	}))
	t.Cleanup(func() { r.conn.Close() })
	return r
}

// nextHops returns the sorted gateways of the router's route to the VIP
// ("" when there is none).
func (r *routeReader) nextHops() (string, error) {
	r.mu.Lock()
	msgs, err := r.conn.Route.List()
	r.mu.Unlock()
	if err != nil {
		return "", err
	}
	want := net.ParseIP(vip).To4()
	var hops []string
	for _, m := range msgs {
		if m.Family != unix.AF_INET || m.DstLength != 32 || m.Table != unix.RT_TABLE_MAIN || !m.Attributes.Dst.Equal(want) {
			continue
		}
		if m.Attributes.Gateway != nil {
			hops = append(hops, m.Attributes.Gateway.String())
		}
		for _, nh := range m.Attributes.Multipath {
			if nh.Gateway != nil {
				hops = append(hops, nh.Gateway.String())
			}
		}
	}
	slices.Sort(hops)
	return strings.Join(hops, ","), nil
}

// allHops is the route set with every node announcing.
var allHops = strings.Join(lbIP[:], ",")

// routeWatch samples the router's route set every 20 ms and keeps its changes.
type routeWatch struct {
	r    *routeReader
	stop chan struct{}
	done chan struct{}

	mu      sync.Mutex
	changes []routeChange
	err     error
}

type routeChange struct {
	At   time.Time
	Hops string
}

func watchRoutes(r *routeReader) *routeWatch {
	w := &routeWatch{r: r, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		last := "\x00"
		for {
			hops, err := r.nextHops()
			now := time.Now()
			w.mu.Lock()
			if err != nil && w.err == nil {
				w.err = err
			}
			if err == nil && hops != last {
				w.changes = append(w.changes, routeChange{At: now, Hops: hops})
				last = hops
			}
			w.mu.Unlock()
			select {
			case <-w.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return w
}

// end stops the watch and returns the changes (the first is the set at the start).
func (w *routeWatch) end() ([]routeChange, error) {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.changes), w.err
}

// firstChangeAfter returns the first change at or after t.
func firstChangeAfter(cs []routeChange, t time.Time) (routeChange, bool) {
	for _, c := range cs {
		if !c.At.Before(t) {
			return c, true
		}
	}
	return routeChange{}, false
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
