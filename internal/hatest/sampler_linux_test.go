package hatest

import (
	"net/netip"
	"strings"
	"sync"
	"time"
)

// samplePeriod is how often the sampler reads both load balancers' addresses.
const samplePeriod = 10 * time.Millisecond

// vipTimes is what the sampler measured over its window.
type vipTimes struct {
	Both    time.Duration // some VIP held by both load balancers
	Neither time.Duration // the DR VIP held by neither
	Samples int
	MaxStep time.Duration // longest time between two samples
	// Timeline lists each change of who holds the DR VIP, with the time.
	Timeline []string
	Err      error
}

// sampler reads both LB namespaces' addresses every samplePeriod, from
// start until stop, and adds up the time both or neither held a VIP. Each
// interval between two samples counts with the state of its first sample.
type sampler struct {
	readers [2]*addrReader
	vips    []netip.Addr
	quit    chan struct{}
	done    chan vipTimes
	once    sync.Once
}

func startSampler(readers [2]*addrReader, vips []netip.Addr) *sampler {
	s := &sampler{readers: readers, vips: vips, quit: make(chan struct{}), done: make(chan vipTimes, 1)}
	go s.loop()
	return s
}

// stop ends the window and returns its figures.
func (s *sampler) stop() vipTimes {
	s.once.Do(func() { close(s.quit) })
	return <-s.done
}

func (s *sampler) loop() {
	var res vipTimes
	defer func() { s.done <- res }()
	var last time.Time
	var lastBoth, lastNeither bool
	for {
		now := time.Now()
		var held [2]map[netip.Addr]bool
		for i, r := range s.readers {
			h, err := r.held()
			if err != nil {
				res.Err = err
				return
			}
			held[i] = h
		}
		if !last.IsZero() {
			step := now.Sub(last)
			res.MaxStep = max(res.MaxStep, step)
			if lastBoth {
				res.Both += step
			}
			if lastNeither {
				res.Neither += step
			}
		}
		res.Samples++
		last = now
		lastBoth = false
		for _, v := range s.vips {
			lastBoth = lastBoth || held[0][v] && held[1][v]
		}
		dr := netip.MustParseAddr(drVIP)
		lastNeither = !held[0][dr] && !held[1][dr]
		if who := holderName(held[0][dr], held[1][dr]); len(res.Timeline) == 0 || !strings.HasSuffix(res.Timeline[len(res.Timeline)-1], " "+who) {
			res.Timeline = append(res.Timeline, now.Format("15:04:05.000")+" "+who)
		}
		select {
		case <-s.quit:
			return
		case <-time.After(samplePeriod - time.Since(now)):
		}
	}
}

// holderName names who holds a VIP: lb1, lb2, both or neither.
func holderName(lb1, lb2 bool) string {
	switch {
	case lb1 && lb2:
		return "both"
	case lb1:
		return "lb1"
	case lb2:
		return "lb2"
	}
	return "neither"
}

// holders returns, for each LB, whether it holds every one of vips and
// whether it holds any of them.
func holders(readers [2]*addrReader, vips []netip.Addr) (all, some [2]bool, err error) {
	for i, r := range readers {
		h, err := r.held()
		if err != nil {
			return all, some, err
		}
		all[i] = true
		for _, v := range vips {
			all[i] = all[i] && h[v]
			some[i] = some[i] || h[v]
		}
	}
	return all, some, nil
}
