package desired

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMain lets BenchmarkLoadTable re-run this binary as a fresh process that
// performs a single load, so its peak RSS is measured alone.
func TestMain(m *testing.M) {
	if mode := os.Getenv("SEESAW_BENCH_CHILD"); mode != "" {
		os.Exit(benchChild(mode, os.Getenv("SEESAW_BENCH_DIR")))
	}
	os.Exit(m.Run())
}

// benchChild loads dir once ("desired", "yaml" or "none") and prints its peak
// RSS in kB and its CPU time in microseconds.
func benchChild(mode, dir string) int {
	var keep any
	var err error
	switch mode {
	case "desired":
		keep, err = Load(dir)
	case "yaml":
		keep, err = loadYAMLNodes(dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	runtime.KeepAlive(keep)
	cpu, err := processCPU()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("hwm_kb %d cpu_us %d\n", peakRSSkB(), cpu.Microseconds())
	return 0
}

// peakRSSkB reads VmHWM, the peak resident set size, of this process.
func peakRSSkB() int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return -1
}

// childFigures runs one load in a child process and returns its peak RSS in
// MB and CPU time.
func childFigures(b *testing.B, mode, dir string) (float64, time.Duration) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SEESAW_BENCH_CHILD="+mode, "SEESAW_BENCH_DIR="+dir)
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("bench child %s: %v", mode, err)
	}
	var kb, us int64
	if _, err := fmt.Sscanf(string(out), "hwm_kb %d cpu_us %d", &kb, &us); err != nil {
		b.Fatalf("bench child %s printed %q: %v", mode, out, err)
	}
	return float64(kb) * 1024 / 1e6, time.Duration(us) * time.Microsecond
}
