package vrrp

import (
	"errors"
	"net"
	"testing"
)

// TestLinkQdiscsLoopback reads the real qdisc list: loopback's root is
// noqueue, which ignores departure times.
func TestLinkQdiscsLoopback(t *testing.T) {
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Fatalf("find lo: %v", err)
	}
	qs, err := linkQdiscs(lo.Index)
	if err != nil {
		t.Fatalf("list qdiscs of lo: %v", err)
	}
	var kinds []string
	for _, q := range qs {
		kinds = append(kinds, q.kind)
	}
	if len(qs) == 0 || qs[0].kind == "" {
		t.Fatalf("qdiscs of lo: %+v, want at least the root with a kind", qs)
	}
	if err := checkTxtimeQdisc("lo", qs); !errors.Is(err, ErrTxtimeUnavailable) {
		t.Fatalf("lo with qdiscs %v: err = %v, want ErrTxtimeUnavailable", kinds, err)
	}
}

func TestParseQdiscShort(t *testing.T) {
	if _, _, ok := parseQdisc(make([]byte, sizeofTCMsg-1)); ok {
		t.Fatal("short tcmsg parsed")
	}
	if _, _, ok := parseQdisc(append(make([]byte, sizeofTCMsg), 9, 0, 1)); ok {
		t.Fatal("truncated attribute parsed")
	}
}
