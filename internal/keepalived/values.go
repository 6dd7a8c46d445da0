package keepalived

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// arg returns the single argument of k, noting k when it has none.
func (c *converter) arg(k *Stmt) (string, bool) {
	if len(k.Words) < 2 {
		c.note(k.Pos, "%s: no value: not converted", k.Keyword())
		return "", false
	}
	return k.Words[1], true
}

// intArg returns k's integer argument within lo..hi, or 0 after a note.
func (c *converter) intArg(k *Stmt, lo, hi int) int {
	s, ok := c.arg(k)
	if !ok {
		return 0
	}
	n, err := parseInt(s)
	if err != nil || n < lo || n > hi {
		c.note(k.Pos, "%s %q: not an integer %d..%d: not converted", k.Keyword(), s, lo, hi)
		return 0
	}
	return n
}

// durationArg returns k's argument, seconds with an optional fraction (as
// keepalived writes every timer), rounded to a microsecond.
func (c *converter) durationArg(k *Stmt) (time.Duration, bool) {
	s, ok := c.arg(k)
	if !ok {
		return 0, false
	}
	d, err := parseSeconds(s)
	if err != nil {
		c.note(k.Pos, "%s %q: %v: not converted", k.Keyword(), s, err)
		return 0, false
	}
	return d, true
}

// addrArg returns k's IP address argument.
func (c *converter) addrArg(k *Stmt) (netip.Addr, bool) {
	s, ok := c.arg(k)
	if !ok {
		return netip.Addr{}, false
	}
	a, ok := parseAddr(s)
	if !ok {
		c.note(k.Pos, "%s %q: not an IP address: not converted", k.Keyword(), s)
	}
	return a, ok
}

// parseAddr parses an address seesaw takes: no zone, not unspecified,
// IPv4-mapped IPv6 as IPv4.
func parseAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" || a.IsUnspecified() {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// ifnameArg returns k's interface name argument.
func (c *converter) ifnameArg(k *Stmt) (string, bool) {
	s, ok := c.arg(k)
	if !ok {
		return "", false
	}
	if !validIfname(s) {
		c.note(k.Pos, "%s %q: not an interface name seesaw takes (at most 15 characters, no '/', ':' or space): not converted", k.Keyword(), s)
		return "", false
	}
	return s, true
}

// parseInt parses a decimal integer.
func parseInt(s string) (int, error) {
	n, err := strconv.ParseInt(s, 10, 32)
	return int(n), err
}

// parseSeconds parses keepalived's timer form: decimal seconds.
func parseSeconds(s string) (time.Duration, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 1e6 || strings.ContainsAny(s, "xXpPeEiInN_") {
		return 0, fmt.Errorf("not a number of seconds 0..1000000")
	}
	return time.Duration(math.Round(f*1e6)) * time.Microsecond, nil
}

// fmtDuration writes d the shortest way seesaw reads it back exactly.
func fmtDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	case d%time.Millisecond == 0:
		return fmt.Sprintf("%dms", d/time.Millisecond)
	}
	return d.String()
}

// validIfname reports whether s is a Linux interface name seesaw accepts.
func validIfname(s string) bool {
	return s != "" && len(s) <= 15 && s != "." && s != ".." && !strings.ContainsAny(s, "/: \t\n") && !hasControl(s)
}

// hasControl reports whether s has a control character or is not UTF-8
// (seesaw names are plain text).
func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return true
		}
	}
	return false
}
