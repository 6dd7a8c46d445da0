//go:build linux

package ipvsbench

import (
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

var scaleProfile = flag.Bool("ipvsbench.scaleprofile", false,
	"BenchmarkScale: profile the idle daemon through its control socket (a CPU profile of the steady phase, heap profiles at its start and end) "+
		"and trace its garbage collections (GODEBUG=gctrace=1); the profiles are printed base64 between PPROF-BEGIN NAME and PPROF-END lines")

// profileClient talks HTTP to a daemon's control socket.
func profileClient(socket string) *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", socket)
	}}}
}

// fetchProfile GETs /debug/pprof/WHAT from the daemon's control socket.
func fetchProfile(c *http.Client, what string) ([]byte, error) {
	resp, err := c.Get("http://seesaw/debug/pprof/" + what)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", what, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", what, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("profile %s: %s: %s", what, resp.Status, strings.TrimSpace(string(b)))
	}
	return b, nil
}

// printProfile prints a profile for the host to decode:
//
//	awk '/^PPROF-BEGIN NAME$/{p=1;next} /^PPROF-END/{p=0} p' out | base64 -d > NAME.pprof
func printProfile(name string, b []byte) {
	fmt.Printf("PPROF-BEGIN %s\n%s\nPPROF-END\n", name, base64.StdEncoding.EncodeToString(b))
}

// steadyProfile profiles the daemon listening on socket for d: a heap
// profile now, a CPU profile over d (returned through the channel when it
// ends, with a heap profile taken then).
func steadyProfile(socket string, d time.Duration) (heap0 []byte, done <-chan [2][]byte, err error) {
	c := profileClient(socket)
	if heap0, err = fetchProfile(c, "heap"); err != nil {
		return nil, nil, err
	}
	ch := make(chan [2][]byte, 1)
	go func() {
		cpu, err := fetchProfile(c, fmt.Sprintf("profile?seconds=%d", max(int(d.Seconds()), 1)))
		if err != nil {
			fmt.Printf("daemon profile: %v\n", err)
		}
		heap1, err := fetchProfile(c, "heap")
		if err != nil {
			fmt.Printf("daemon profile: %v\n", err)
		}
		ch <- [2][]byte{cpu, heap1}
	}()
	return heap0, ch, nil
}

// gcLines returns the gctrace lines of a daemon log.
func gcLines(log string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.HasPrefix(l, "gc ") && strings.Contains(l, " MB goal") {
			out = append(out, l)
		}
	}
	return out
}
