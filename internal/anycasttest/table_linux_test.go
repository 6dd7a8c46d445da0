package anycasttest

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/seesaw-lb/seesaw/internal/benchrow"
)

// printTable writes the scenario table and the BENCHROW lines. The route
// change of kill-9 and node-lost is also given as a ratio to the hold time.
func printTable(w io.Writer, results map[string]*outcome) {
	fmt.Fprintf(w, "\nAnycast suite: %s, event on lb1 at %v, hold time %v, shutdown_grace 2s\n", load, eventAfter, holdTime)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tfailed/requests\tfailed after the route change\tserved after 1 s\tslowest\troute change after the event\troute set after\tconns lb1/lb2/lb3\tsources split over backends")
	for _, s := range scenarios {
		o := results[s.name]
		if o == nil {
			fmt.Fprintf(tw, "%s\tn/a\n", s.name)
			continue
		}
		failedAfter, after, hops := "-", "-", "-"
		if s.event != nil {
			if c, d, ok := o.change(); ok {
				failedAfter, after, hops = fmt.Sprint(o.failedSince(c.At)), ms(d).String(), c.Hops
			} else {
				after = "none"
			}
		}
		fmt.Fprintf(tw, "%s\t%d/%d\t%s\t%d\t%v\t%s\t%s\t%d/%d/%d\t%d\n", s.name, o.load.Failed, o.load.Requests, failedAfter,
			o.load.Slow, ms(o.load.Slowest), after, hops, o.conns[0], o.conns[1], o.conns[2], len(o.split()))
	}
	tw.Flush()
	for _, s := range scenarios {
		o := results[s.name]
		if o == nil {
			continue
		}
		benchrow.Write(w, "anycast", s.name+": failed requests", fmt.Sprintf("%d/%d", o.load.Failed, o.load.Requests), "-", 0)
		benchrow.Write(w, "anycast", s.name+": requests served after 1 s", fmt.Sprint(o.load.Slow), "-", 0)
		if s.event == nil {
			continue
		}
		if _, d, ok := o.change(); ok {
			peer, ratio := "-", 0.0
			if s.bound > 0 {
				peer, ratio = "hold time "+holdTime.String(), float64(d)/float64(holdTime)
			}
			benchrow.Write(w, "anycast", s.name+": route change after the event", ms(d).String(), peer, ratio)
		}
	}
}

func ms(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
