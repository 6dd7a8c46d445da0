package vrrp

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// floorCommand is the timer-latency oracle the jitter benchmark runs beside
// each round: Debian's cyclictest (package rt-tests).
const floorCommand = "cyclictest"

// measureFloor runs cyclictest for n+1 wake-ups of one SCHED_FIFO thread at
// rtBenchPriority on the benchmark's interval, in the same window as the
// round, and returns its wake-ups turned into the adverts' statistic
// (|interval - 100 ms| between consecutive wake-ups, sorted). It is the
// timer floor of the host in that window: a sender that sleeps until its
// due time cannot be steadier than a C thread that does only that.
// --laptop leaves /dev/cpu_dma_latency alone, so the senders measured
// beside it run on the host as it is.
func measureFloor(tb testing.TB, n int) ([]time.Duration, error) {
	path, err := exec.LookPath(floorCommand)
	if err != nil {
		return nil, fmt.Errorf("%s not found (apt-get install rt-tests): %w", floorCommand, err)
	}
	us := strconv.Itoa(int(benchInterval / time.Microsecond))
	cmd := exec.Command(path, "--laptop", "-m", "-p", strconv.Itoa(rtBenchPriority), "-i", us, "-d", "0",
		"-l", strconv.Itoa(n+1), "-v")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %s", cmd, err, strings.TrimSpace(stderr.String()))
	}
	lats, err := parseCyclictest(out)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	if len(lats) < n+1 {
		return nil, fmt.Errorf("%s: %d wake-ups reported, want %d", cmd, len(lats), n+1)
	}
	at := make([]int64, len(lats))
	for i, l := range lats {
		at[i] = int64(i)*int64(benchInterval) + int64(l)
	}
	return jitters(at), nil
}

// parseCyclictest reads cyclictest -v's per-wake-up lines ("thread: loop:
// latency-in-µs") of thread 0, in loop order, and skips its other lines.
func parseCyclictest(out []byte) ([]time.Duration, error) {
	var lats []time.Duration
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), ":")
		if len(f) != 3 {
			continue
		}
		var v [3]int
		ok := true
		for i, s := range f {
			var err error
			if v[i], err = strconv.Atoi(strings.TrimSpace(s)); err != nil {
				ok = false
			}
		}
		if !ok || v[0] != 0 {
			continue
		}
		if v[1] != len(lats) {
			return nil, fmt.Errorf("wake-up %d reported where %d was due", v[1], len(lats))
		}
		lats = append(lats, time.Duration(v[2])*time.Microsecond)
	}
	return lats, sc.Err()
}
