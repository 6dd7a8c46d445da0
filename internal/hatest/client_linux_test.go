package hatest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seesaw-lb/seesaw/internal/vmlab"
)

// loadSpec is the client's bounded load: Rate new connections per second
// (one request each, alternating over Targets) for Duration, and Streams
// long-lived connections (spread over Targets) echoing a chunk every
// StreamEvery in both directions for the same time.
type loadSpec struct {
	Targets     []string      // VIP:port
	Rate        int           // requests per second
	Duration    time.Duration // the whole run, streams included
	Streams     int
	StreamEvery time.Duration
}

// loadResult is what the client reports when its run ends.
type loadResult struct {
	Requests int
	Failed   int
	FailedBy map[string]int // per target
	MaxGap   time.Duration  // longest time without a successful request completing
	// GapFrom is when the longest gap began (the answer before it, or the
	// window's start), and GapEnd the request whose answer ended it (zero
	// when the window's end did).
	GapFrom  time.Time
	GapEnd   okRequest
	Streams  int
	Survived int
	Errors   []string // the first few errors with the start of their request, for the log
}

// okRequest is one request answered: its target, when it was started
// and when its answer was read.
type okRequest struct {
	Target        string
	Started, Done time.Time
}

// longestGap returns the longest time in [start, stop] without an answer
// in oks (sorted by Done), when it began and the request that ended it
// (zero when stop did).
func longestGap(oks []okRequest, start, stop time.Time) (gap time.Duration, from time.Time, end okRequest) {
	prev := start
	for _, ok := range append(oks, okRequest{Done: stop}) {
		if d := ok.Done.Sub(prev); d > gap {
			gap, from, end = d, prev, ok
		}
		if ok.Done.After(prev) {
			prev = ok.Done
		}
	}
	if end.Target == "" {
		end = okRequest{}
	}
	return gap, from, end
}

func (s loadSpec) String() string {
	return fmt.Sprintf("%d req/s and %d streams for %v over %v", s.Rate, s.Streams, s.Duration, s.Targets)
}

// encode is s as runClient reads it from clientEnv.
func (s loadSpec) encode() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// streamOpenTries bounds the attempts to open one long-lived stream
// before the window: a backend the scenario's setup just killed can still
// be weighted by a load balancer whose checks have not yet seen it (a
// connection refused), as a real client would retry.
const streamOpenTries = 20

// openStreamRetry is openStream, tried up to streamOpenTries times 200 ms
// apart.
func openStreamRetry(target string) (*stream, error) {
	var err error
	for range streamOpenTries {
		var st *stream
		if st, err = openStream(target); err == nil {
			return st, nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return nil, fmt.Errorf("%d attempts: %w", streamOpenTries, err)
}

// runClient is the client process: it runs the load of spec and prints
// the result on stdout. It returns the process exit code.
func runClient(spec string) int {
	var s loadSpec
	if err := json.Unmarshal([]byte(spec), &s); err != nil || s.Rate <= 0 || len(s.Targets) == 0 {
		fmt.Fprintln(os.Stderr, "client: bad spec:", spec, err)
		return 2
	}
	res := loadResult{FailedBy: map[string]int{}, Streams: s.Streams}
	var mu sync.Mutex
	note := func(err error, at time.Time) {
		if len(res.Errors) < 8 {
			res.Errors = append(res.Errors, at.Format("15:04:05.000")+" "+err.Error())
		}
	}
	streams := make([]*stream, 0, s.Streams)
	for i := range s.Streams {
		st, err := openStreamRetry(s.Targets[i%len(s.Targets)])
		if err != nil {
			fmt.Fprintln(os.Stderr, "client: open stream:", err)
			return 1
		}
		streams = append(streams, st)
	}
	fmt.Println(vmlab.ReadyLine) // every stream is established; the window starts
	start := time.Now()
	end := start.Add(s.Duration)
	var wg sync.WaitGroup
	for _, st := range streams {
		wg.Add(1)
		go func() { defer wg.Done(); st.run(end, s.StreamEvery) }()
	}
	var oks []okRequest
	total := int(s.Duration.Seconds() * float64(s.Rate))
	tick := time.NewTicker(time.Second / time.Duration(s.Rate))
	for i := 0; i < total && time.Now().Before(end); i++ {
		<-tick.C
		target := s.Targets[i%len(s.Targets)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			at := time.Now()
			err := request(target)
			mu.Lock()
			defer mu.Unlock()
			res.Requests++
			if err != nil {
				res.Failed++
				res.FailedBy[target]++
				note(err, at)
				return
			}
			oks = append(oks, okRequest{Target: target, Started: at, Done: time.Now()})
		}()
	}
	tick.Stop()
	wg.Wait()
	stop := time.Now()
	slices.SortFunc(oks, func(a, b okRequest) int { return a.Done.Compare(b.Done) })
	if stop.After(end) {
		stop = end
	}
	res.MaxGap, res.GapFrom, res.GapEnd = longestGap(oks, start, stop)
	for _, st := range streams {
		if st.err == nil {
			res.Survived++
		} else {
			note(st.err, stop)
		}
		st.c.Close()
	}
	if err := vmlab.PrintResult(res); err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		return 1
	}
	return 0
}

// request makes one HTTP request on a new connection.
func request(target string) error {
	c, err := net.DialTimeout("tcp", target, 2*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.WriteString(c, "GET / HTTP/1.0\r\nHost: hatest\r\n\r\n"); err != nil {
		return err
	}
	b, err := io.ReadAll(c)
	if err != nil {
		return fmt.Errorf("read from %s: %w", target, err)
	}
	if !strings.HasPrefix(string(b), "HTTP/1.0 200 ") {
		return fmt.Errorf("answer from %s: %q", target, b)
	}
	return nil
}

// stream is one long-lived connection; err is its first failure.
type stream struct {
	c   net.Conn
	r   *bufio.Reader
	err error
}

func openStream(target string) (*stream, error) {
	c, err := net.DialTimeout("tcp", target, 3*time.Second)
	if err != nil {
		return nil, err
	}
	s := &stream{c: c, r: bufio.NewReader(c)}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, vmlab.StreamHello+"\n"); err != nil {
		c.Close()
		return nil, err
	}
	if line, err := s.r.ReadString('\n'); err != nil || line != vmlab.StreamReady {
		c.Close()
		return nil, fmt.Errorf("stream hello to %s: %q %v", target, line, err)
	}
	return s, nil
}

// run echoes a 512-byte chunk every period until end (or the first error).
// A chunk may wait up to 10 s for its echo: TCP retransmits across a
// failover, and only a reset or a lost connection is a failure.
func (s *stream) run(end time.Time, every time.Duration) {
	chunk := []byte(strings.Repeat("x", 511) + "\n")
	got := make([]byte, len(chunk))
	for n := 0; time.Now().Before(end); n++ {
		s.c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := s.c.Write(chunk); err != nil {
			s.err = fmt.Errorf("stream %s write %d: %w", s.c.LocalAddr(), n, err)
			return
		}
		if _, err := io.ReadFull(s.r, got); err != nil {
			s.err = fmt.Errorf("stream %s read %d: %w", s.c.LocalAddr(), n, err)
			return
		}
		time.Sleep(every)
	}
}
