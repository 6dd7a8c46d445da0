package anycasttest

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/seesaw-lb/seesaw/internal/vmlab"
)

// loadSpec is the client's bounded load: Rate new connections per second
// (one HTTP request each) to Target for Duration, their source addresses
// taken in turn from Sources.
type loadSpec struct {
	Target   string // VIP:port
	Sources  []string
	Rate     int
	Duration time.Duration
}

// failure is one failed request: when it started and why.
type failure struct {
	At  time.Time
	Err string
}

// loadResult is what the client reports when its run ends.
type loadResult struct {
	Start    time.Time
	Requests int
	Failed   int
	Failures []failure // the first maxFailures
	// Backends counts the successful requests by source address and the
	// backend that answered.
	Backends map[string]map[string]int
	// Slowest is the longest successful request; Slow counts those over
	// slowAfter (a lost SYN retransmitted after 1 s, say).
	Slowest time.Duration
	Slow    int
}

const (
	maxFailures = 200
	slowAfter   = time.Second
)

func (s loadSpec) String() string {
	return fmt.Sprintf("%d req/s for %v to %s from %d source addresses", s.Rate, s.Duration, s.Target, len(s.Sources))
}

// encode is s as runClient reads it from clientEnv.
func (s loadSpec) encode() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// runClient is the client process: it runs the load of spec and prints
// the result on stdout. It returns the process exit code.
func runClient(spec string) int {
	var s loadSpec
	if err := json.Unmarshal([]byte(spec), &s); err != nil || s.Rate <= 0 || len(s.Sources) == 0 || s.Duration <= 0 {
		fmt.Fprintln(os.Stderr, "client: bad spec:", spec, err)
		return 2
	}
	res := loadResult{Start: time.Now(), Backends: map[string]map[string]int{}}
	fmt.Println(vmlab.ReadyLine) // the load starts
	var mu sync.Mutex
	var wg sync.WaitGroup
	end := res.Start.Add(s.Duration)
	total := int(s.Duration.Seconds() * float64(s.Rate))
	tick := time.NewTicker(time.Second / time.Duration(s.Rate))
	for i := 0; i < total && time.Now().Before(end); i++ {
		<-tick.C
		src := s.Sources[i%len(s.Sources)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			at := time.Now()
			backend, err := request(src, s.Target)
			mu.Lock()
			defer mu.Unlock()
			res.Requests++
			if err != nil {
				res.Failed++
				if len(res.Failures) < maxFailures {
					res.Failures = append(res.Failures, failure{At: at, Err: err.Error()})
				}
				return
			}
			took := time.Since(at)
			res.Slowest = max(res.Slowest, took)
			if took > slowAfter {
				res.Slow++
			}
			if res.Backends[src] == nil {
				res.Backends[src] = map[string]int{}
			}
			res.Backends[src][backend]++
		}()
	}
	tick.Stop()
	wg.Wait()
	if err := vmlab.PrintResult(res); err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		return 1
	}
	return 0
}

// request makes one HTTP request on a new connection from source address
// src and returns the name of the backend that answered.
func request(src, target string) (string, error) {
	// A SYN retransmit (1 s) still counts as served: only a refused or
	// lost connection fails.
	d := net.Dialer{Timeout: 3500 * time.Millisecond, LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr(src), 0))}
	c, err := d.Dial("tcp", target)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "GET / HTTP/1.0\r\nHost: anycasttest\r\n\r\n"); err != nil {
		return "", err
	}
	b, err := io.ReadAll(c)
	if err != nil {
		return "", fmt.Errorf("read from %s: %w", target, err)
	}
	head, body, ok := strings.Cut(string(b), "\r\n\r\n")
	if !ok || !strings.HasPrefix(head, "HTTP/1.0 200 ") {
		return "", fmt.Errorf("answer from %s: %q", target, b)
	}
	return strings.TrimSpace(body), nil
}
