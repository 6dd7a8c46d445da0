package hatest

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/seesaw-lb/seesaw/internal/benchrow"
)

var impls = []string{"seesaw", "keepalived"}

// printTable writes the side-by-side table and the BENCHROW lines.
func printTable(w io.Writer, results map[string]map[string]*outcome) {
	fmt.Fprintf(w, "\nHA traffic suite: %s, event at %v\n", load, eventAfter)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\timpl\tfailed/requests\tlongest gap\tboth held VIP\tneither held\tstreams survived\tkernel = config\tdown backend kept at 0\tNAT failed, stale gw")
	for _, s := range scenarios {
		for _, impl := range impls {
			o := results[s.name][impl]
			if o == nil {
				fmt.Fprintf(tw, "%s\t%s\tn/a\tn/a\tn/a\tn/a\tn/a\tn/a\tn/a\tn/a\n", s.name, impl)
				continue
			}
			if o.err != nil {
				fmt.Fprintf(tw, "%s\t%s\terror: %v\n", s.name, impl, o.err)
				continue
			}
			kernel, kept := "yes", "-"
			if o.kernel != "" {
				kernel = "no"
			}
			if s.keptDown != "" {
				kept = map[bool]string{false: "yes", true: "no"}[o.revived]
			}
			nat := fmt.Sprint(o.load.FailedBy[natVIP+":80"])
			if s.failover {
				nat += fmt.Sprintf(", %d", o.staleGateway)
			}
			fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%v\t%v\t%v\t%d/%d\t%s\t%s\t%s\n", s.name, impl, o.load.Failed, o.load.Requests,
				ms(o.load.MaxGap), ms(o.vip.Both), ms(o.vip.Neither), o.load.Survived, o.load.Streams, kernel, kept, nat)
		}
	}
	tw.Flush()
	for _, s := range scenarios {
		ours, peer := results[s.name]["seesaw"], results[s.name]["keepalived"]
		if ours == nil || ours.err != nil {
			continue
		}
		peerGap, peerFailed, peerBoth, ratio := "n/a", "n/a", "n/a", 0.0
		if peer != nil && peer.err == nil {
			peerGap, peerFailed, peerBoth = ms(peer.load.MaxGap).String(), fmt.Sprint(peer.load.Failed), ms(peer.vip.Both).String()
			ratio = float64(ours.load.MaxGap) / float64(peer.load.MaxGap)
		}
		benchrow.Write(w, "ha", s.name+": longest gap", ms(ours.load.MaxGap).String(), peerGap, ratio)
		benchrow.Write(w, "ha", s.name+": failed requests", fmt.Sprint(ours.load.Failed), peerFailed, 0)
		benchrow.Write(w, "ha", s.name+": both held VIP", ms(ours.vip.Both).String(), peerBoth, 0)
		if ours.announced > 0 && peer != nil && peer.err == nil && peer.announced > 0 {
			benchrow.Write(w, "ha", s.name+": VIP announced after the last advert", ours.announced.Round(time.Microsecond).String(),
				peer.announced.Round(time.Microsecond).String(), float64(ours.announced)/float64(peer.announced))
		}
		if ours.answered > 0 && peer != nil && peer.err == nil && peer.answered > 0 {
			benchrow.Write(w, "ha", s.name+": first answer after the DR VIP's announcement", ours.answered.Round(100*time.Microsecond).String(),
				peer.answered.Round(100*time.Microsecond).String(), float64(ours.answered)/float64(peer.answered))
		}
	}
}

func ms(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
