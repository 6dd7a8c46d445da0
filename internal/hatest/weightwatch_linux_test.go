package hatest

import (
	"os/exec"
	"regexp"
	"time"
)

// weightWatch polls `ipvsadm -Sn` in one namespace every 100 ms (at most
// 600 times) and remembers whether a backend ever had a weight above 0.
type weightWatch struct {
	quit chan struct{}
	done chan bool
}

func startWeightWatch(ns, backend string) *weightWatch {
	w := &weightWatch{quit: make(chan struct{}), done: make(chan bool, 1)}
	weighted := regexp.MustCompile(`-r ` + regexp.QuoteMeta(backend) + `:\d+ -[gmi] -w [1-9]`)
	go func() {
		seen := false
		defer func() { w.done <- seen }()
		for range 600 {
			out, _ := exec.Command("ip", "netns", "exec", ns, "ipvsadm", "-Sn").Output()
			seen = seen || weighted.Match(out)
			select {
			case <-w.quit:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return w
}

// stop ends the watch and says whether the backend was ever given weight.
func (w *weightWatch) stop() bool {
	close(w.quit)
	return <-w.done
}
