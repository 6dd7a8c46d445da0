package hatest

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/seesaw-lb/seesaw/internal/benchrow"
	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// repeat is how many times TestHAFailoverRepeated runs each failover
// scenario with each implementation (-hatest.repeat, through
// internal/vm/run.sh --arg; make habench). 0 skips it.
var repeat = flag.Int("hatest.repeat", 0, "run the crash and link-down failovers this many times with each implementation and compare medians (0: skip)")

// repeatedScenarios are the failovers where one run cannot rank the two
// implementations: after a crash or a pulled cable both wait for the
// peer's silence (Master_Down_Interval, the same for both by RFC 9568),
// and the part they decide, a few milliseconds, is smaller than what one
// run adds around it (where the cable is pulled in the client's 20 ms
// request spacing, which request first reaches the new master, the test
// VM's scheduling).
var repeatedScenarios = []string{"master-kill9", "master-link-down"}

// TestHAFailoverRepeated runs each of repeatedScenarios -hatest.repeat
// times with seesaw-reconcile, then with keepalived, in the lab of
// TestHATraffic, holds every seesaw run to the same correctness
// assertions, and prints each implementation's median, best and worst
// longest gap and takeover time side by side, with BENCHROW lines.
func TestHAFailoverRepeated(t *testing.T) {
	if *repeat <= 0 {
		t.Skip("set -hatest.repeat=N to run the failovers N times with each implementation (make habench)")
	}
	testenv.RequireVM(t, "ip", "ipvsadm", "seesaw-reconcile", "keepalived", "sysctl")
	runs := map[string]map[string][]*outcome{}
	for _, name := range repeatedScenarios {
		runs[name] = map[string][]*outcome{}
	}
	for _, impl := range impls {
		t.Run(impl, func(t *testing.T) {
			var pair lbPair
			if impl == "keepalived" {
				pair = newKeepalivedPair(t)
			} else {
				pair = newSeesawPair(t)
			}
			l := newLab(t, pair)
			for _, s := range scenarios {
				if !slices.Contains(repeatedScenarios, s.name) {
					continue
				}
				for i := range *repeat {
					t.Run(fmt.Sprintf("%s/%d", s.name, i+1), func(t *testing.T) {
						o := &outcome{}
						runs[s.name][impl] = append(runs[s.name][impl], o)
						runScenario(t, l, s, o)
					})
				}
			}
		})
	}
	printRepeated(os.Stdout, runs)
}

// spread is what N runs of one scenario with one implementation gave.
type spread struct {
	runs                int // runs measured (a failed measurement is left out)
	gap, best, worst    time.Duration
	announced           time.Duration // median; 0 when no run was pinned
	answered            time.Duration // median; 0 when no run was pinned
	failed              int           // median failed requests
	duplicate, notEqual int           // runs with both holding a VIP, runs whose kernel ended unequal to the config
}

// spreadOf summarizes os: medians of the longest gap, of the time the new
// master first spoke for the DR VIP and of the failed requests.
func spreadOf(os []*outcome) spread {
	var gaps, ann, answ []time.Duration
	var failed []int
	var s spread
	for _, o := range os {
		if o == nil || o.err != nil || o.load.Requests == 0 {
			continue
		}
		s.runs++
		gaps = append(gaps, o.load.MaxGap)
		failed = append(failed, o.load.Failed)
		if o.announced > 0 {
			ann = append(ann, o.announced)
		}
		if o.answered > 0 {
			answ = append(answ, o.answered)
		}
		if o.vip.Both > 0 {
			s.duplicate++
		}
		if o.kernel != "" {
			s.notEqual++
		}
	}
	if s.runs == 0 {
		return s
	}
	slices.Sort(gaps)
	slices.Sort(ann)
	slices.Sort(answ)
	slices.Sort(failed)
	s.gap, s.best, s.worst = median(gaps), gaps[0], gaps[len(gaps)-1]
	if len(ann) > 0 {
		s.announced = median(ann)
	}
	if len(answ) > 0 {
		s.answered = median(answ)
	}
	s.failed = failed[len(failed)/2]
	return s
}

// median of sorted, non-empty xs (the mean of the middle two for an even count).
func median(xs []time.Duration) time.Duration {
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// printRepeated writes the table of TestHAFailoverRepeated and its BENCHROW lines.
func printRepeated(w io.Writer, runs map[string]map[string][]*outcome) {
	fmt.Fprintf(w, "\nHA failovers repeated: %s, event at %v, %d runs each\n", load, eventAfter, *repeat)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\timpl\truns\tmedian gap\tbest\tworst\tmedian VIP announced after the last advert\tmedian first answer after it\tmedian failed\tduplicate VIP runs\tkernel != config runs")
	for _, name := range repeatedScenarios {
		for _, impl := range impls {
			s := spreadOf(runs[name][impl])
			fmt.Fprintf(tw, "%s\t%s\t%d\t%v\t%v\t%v\t%v\t%v\t%d\t%d\t%d\n", name, impl, s.runs, ms(s.gap), ms(s.best), ms(s.worst),
				s.announced.Round(100*time.Microsecond), s.answered.Round(100*time.Microsecond), s.failed, s.duplicate, s.notEqual)
		}
	}
	tw.Flush()
	for _, name := range repeatedScenarios {
		ours, peer := spreadOf(runs[name]["seesaw"]), spreadOf(runs[name]["keepalived"])
		if ours.runs == 0 || peer.runs == 0 {
			continue
		}
		fig := fmt.Sprintf("%s x%d: ", name, *repeat)
		benchrow.Write(w, "ha-repeated", fig+"median longest gap", ms(ours.gap).String(), ms(peer.gap).String(), ratio(ours.gap, peer.gap))
		benchrow.Write(w, "ha-repeated", fig+"worst longest gap", ms(ours.worst).String(), ms(peer.worst).String(), ratio(ours.worst, peer.worst))
		if ours.announced > 0 && peer.announced > 0 {
			benchrow.Write(w, "ha-repeated", fig+"median VIP announced after the last advert", ours.announced.Round(100*time.Microsecond).String(),
				peer.announced.Round(100*time.Microsecond).String(), ratio(ours.announced, peer.announced))
		}
		if ours.answered > 0 && peer.answered > 0 {
			benchrow.Write(w, "ha-repeated", fig+"median first answer after the DR VIP's announcement", ours.answered.Round(100*time.Microsecond).String(),
				peer.answered.Round(100*time.Microsecond).String(), ratio(ours.answered, peer.answered))
		}
	}
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }
