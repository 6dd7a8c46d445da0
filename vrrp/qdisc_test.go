package vrrp

import (
	"errors"
	"testing"
)

func TestCheckTxtimeQdisc(t *testing.T) {
	for _, c := range []struct {
		name string
		qs   []qdisc
		ok   bool
	}{
		{"root fq", []qdisc{{parent: tcHRoot, handle: 0x80010000, kind: "fq"}}, true},
		{"no qdisc (noqueue veth)", nil, false},
		{"root noqueue", []qdisc{{parent: tcHRoot, kind: "noqueue"}}, false},
		{"root fq_codel", []qdisc{{parent: tcHRoot, handle: 0x10000, kind: "fq_codel"}}, false},
		{"root etf (wants CLOCK_TAI)", []qdisc{{parent: tcHRoot, handle: 0x10000, kind: "etf"}}, false},
		{"mq of fq", []qdisc{
			{parent: tcHRoot, handle: 0x10000, kind: "mq"},
			{parent: 0x10001, handle: 0x80020000, kind: "fq"},
			{parent: 0x10002, handle: 0x80030000, kind: "fq"},
		}, true},
		{"mq with one fq_codel queue", []qdisc{
			{parent: tcHRoot, handle: 0x10000, kind: "mq"},
			{parent: 0x10001, handle: 0x80020000, kind: "fq"},
			{parent: 0x10002, handle: 0x80030000, kind: "fq_codel"},
		}, false},
		{"mq without queues", []qdisc{{parent: tcHRoot, handle: 0x10000, kind: "mq"}}, false},
		{"ingress is not the root", []qdisc{{parent: 0xfffffff1, handle: 0xffff0000, kind: "ingress"}}, false},
	} {
		err := checkTxtimeQdisc("eth0", c.qs)
		if c.ok && err != nil {
			t.Errorf("%s: %v, want usable", c.name, err)
		}
		if !c.ok && !errors.Is(err, ErrTxtimeUnavailable) {
			t.Errorf("%s: err = %v, want ErrTxtimeUnavailable", c.name, err)
		}
	}
}
