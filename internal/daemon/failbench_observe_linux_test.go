package daemon

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/netnsexec"
	"golang.org/x/sys/unix"
)

// advertWatch records the arrival times of the VRRP adverts a namespace
// receives, per source address, from a raw socket of its own: the kernel's
// receive timestamps (SO_TIMESTAMPNS), so the test's own scheduling does
// not count.
type advertWatch struct {
	mu sync.Mutex
	at map[string][]time.Time
}

// watchAdverts starts recording in ns until the test ends.
func watchAdverts(t *testing.T, ns string) *advertWatch {
	t.Helper()
	var c *net.IPConn
	err := netnsexec.Do(ns, func() (err error) {
		if c, err = net.ListenIP("ip4:112", &net.IPAddr{IP: net.IPv4zero}); err != nil {
			return err
		}
		return stampReceives(c)
	})
	if err != nil {
		t.Fatalf("raw VRRP socket in %s: %v", ns, err)
	}
	w := &advertWatch{at: map[string][]time.Time{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf, oob := make([]byte, 1500), make([]byte, 128)
		for {
			n, oobn, _, src, err := c.ReadMsgIP(buf, oob)
			if err != nil {
				return
			}
			if n < 20 || buf[0]>>4 != 4 {
				continue
			}
			// ReadMsgIP keeps the IPv4 header; type 1 is an advertisement.
			if hl := int(buf[0]&0x0f) * 4; n > hl && buf[hl]&0x0f == 1 {
				at := receiveStamp(oob[:oobn])
				w.mu.Lock()
				w.at[src.IP.String()] = append(w.at[src.IP.String()], at)
				w.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { c.Close(); <-done })
	return w
}

// stampReceives turns on SO_TIMESTAMPNS on c.
func stampReceives(c *net.IPConn) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	}); err != nil {
		return err
	}
	return serr
}

// receiveStamp is the kernel's receive time in oob, else now.
func receiveStamp(oob []byte) time.Time {
	msgs, _ := unix.ParseSocketControlMessage(oob)
	for _, m := range msgs {
		if m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SO_TIMESTAMPNS && len(m.Data) >= 16 {
			return time.Unix(int64(binary.NativeEndian.Uint64(m.Data[0:8])), int64(binary.NativeEndian.Uint64(m.Data[8:16])))
		}
	}
	return time.Now()
}

// gaps returns the intervals between src's adverts that arrived in
// [from, to], sorted, and the number of adverts.
func (w *advertWatch) gaps(src string, from, to time.Time) ([]time.Duration, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var in []time.Time
	for _, a := range w.at[src] {
		if !a.Before(from) && !a.After(to) {
			in = append(in, a)
		}
	}
	var gs []time.Duration
	for i := 1; i < len(in); i++ {
		gs = append(gs, in[i].Sub(in[i-1]))
	}
	slices.Sort(gs)
	return gs, len(in)
}

// procCPU returns the CPU time (user+system) pid has used, from /proc.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ut, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ 100
}

// gcTrace matches one GODEBUG=gctrace=1 line: the first and third clock
// figures are the two stop-the-world pauses of the cycle.
var gcTrace = regexp.MustCompile(`(?m)^gc \d+ @[\d.]+s \d+%: ([\d.]+)\+[\d.]+\+([\d.]+) ms clock`)

// gcPauses returns the stop-the-world time of every GC cycle in log, sorted.
func gcPauses(log string) []time.Duration {
	var ps []time.Duration
	for _, m := range gcTrace.FindAllStringSubmatch(log, -1) {
		a, _ := strconv.ParseFloat(m[1], 64)
		c, _ := strconv.ParseFloat(m[2], 64)
		ps = append(ps, time.Duration((a+c)*1e6))
	}
	slices.Sort(ps)
	return ps
}

// loadAverage is the first three fields of /proc/loadavg.
func loadAverage() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
