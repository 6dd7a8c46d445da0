package vrrp

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"testing"
)

// loadScenario is a load the jitter benchmark runs in the sender's process.
type loadScenario struct {
	name string
	env  []string // for the node helper (startLoad)
}

// loadScenarios are the jitter benchmark's loads, their sizes divided by
// div (1 on a host; the VM runs code about ten times slower): idle; checks
// probing every second; ten times as many probing every 10 s (the same
// probe rate over a larger live heap); a configuration of that many
// services reloaded every 5 s.
func loadScenarios(div int) []loadScenario {
	checks, services := 10000/div, 10000/div
	k := func(n int) string { return strconv.Itoa(n/1000) + "k" }
	return []loadScenario{
		{"idle", nil},
		{k(checks) + "-checks@1s", []string{"SEESAW_VRRP_LOAD=" + strconv.Itoa(checks), "SEESAW_VRRP_LOAD_PERIOD=1s"}},
		{k(10*checks) + "-checks@10s", []string{"SEESAW_VRRP_LOAD=" + strconv.Itoa(10*checks), "SEESAW_VRRP_LOAD_PERIOD=10s"}},
		{k(services) + "-svc-reload@5s", []string{"SEESAW_VRRP_RELOAD=" + strconv.Itoa(services)}},
	}
}

// sendPath is a way a seesaw master can time its adverts.
type sendPath struct {
	name   string
	timing string // what Stats.AdvertTiming must say
	set    func(*Config)
	fq     bool // needs the fq qdisc on the sender's interface
}

// rtBenchPriority is the SCHED_FIFO priority of the thread-rt rounds.
const rtBenchPriority = 50

var sendPaths = []sendPath{
	{"runtime", TimingRuntime, func(c *Config) { c.RuntimeTimedAdverts = true }, false},
	{"thread", TimingThread, func(c *Config) { c.AdvertSender = TimingThread }, false},
	{"thread-rt" + strconv.Itoa(rtBenchPriority), TimingThread, func(c *Config) {
		c.AdvertSender, c.RealtimePriority = TimingThread, rtBenchPriority
	}, false},
	{"process", TimingProcess, func(c *Config) { c.AdvertSender = TimingProcess }, false},
	{"process-rt" + strconv.Itoa(rtBenchPriority), TimingProcess, func(c *Config) {
		c.AdvertSender, c.RealtimePriority = TimingProcess, rtBenchPriority
	}, false},
	{"txtime", TimingKernel, func(c *Config) { c.KernelTimedAdverts = true }, true},
}

// jitterRound is one seesaw configuration the jitter benchmark measures.
type jitterRound struct {
	name string
	env  []string
	path sendPath
}

// jitterRounds are every load scenario with every send path, those whose
// name ("scenario/path") matches SEESAW_BENCH_ROUNDS when it is set.
func jitterRounds(tb testing.TB, scenarios []loadScenario) []jitterRound {
	var only *regexp.Regexp
	if s := os.Getenv("SEESAW_BENCH_ROUNDS"); s != "" {
		var err error
		if only, err = regexp.Compile(s); err != nil {
			tb.Fatalf("SEESAW_BENCH_ROUNDS: %v", err)
		}
	}
	var rs []jitterRound
	for _, sc := range scenarios {
		for _, p := range sendPaths {
			name := fmt.Sprintf("%s/%s", sc.name, p.name)
			if only == nil || only.MatchString(name) {
				rs = append(rs, jitterRound{name: name, env: sc.env, path: p})
			}
		}
	}
	return rs
}
