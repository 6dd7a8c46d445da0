package checks

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// zoneHandler answers www.example.org A/AAAA/SRV and NXDOMAIN otherwise.
func zoneHandler(w dns.ResponseWriter, q *dns.Msg) {
	r := new(dns.Msg)
	r.SetReply(q)
	name := q.Question[0].Name
	if name != "www.example.org." {
		r.SetRcode(q, dns.RcodeNameError)
		w.WriteMsg(r)
		return
	}
	for _, s := range []string{
		"www.example.org. 60 IN A 192.0.2.1", "www.example.org. 60 IN A 192.0.2.2",
		"www.example.org. 60 IN AAAA 2001:db8::1", "www.example.org. 60 IN SRV 10 5 80 web.example.org.",
	} {
		rr, _ := dns.NewRR(s)
		if rr.Header().Rrtype == q.Question[0].Qtype {
			r.Answer = append(r.Answer, rr)
		}
	}
	w.WriteMsg(r)
}

// serveDNS starts miekg/dns servers on loopback UDP and TCP with handler.
func serveDNS(t *testing.T, handler dns.HandlerFunc) (udp, tcp Target) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*dns.Server{{PacketConn: pc, Handler: handler}, {Listener: ln, Handler: handler}} {
		started := make(chan struct{})
		s.NotifyStartedFunc = func() { close(started) }
		go s.ActivateAndServe()
		<-started
		t.Cleanup(func() { s.Shutdown() })
	}
	return targetOf(t, pc.LocalAddr()), targetOf(t, ln.Addr())
}

func TestDNS(t *testing.T) {
	udp, tcp := serveDNS(t, zoneHandler)
	cases := []struct {
		name string
		o    DNSOptions
		want string
	}{
		{"a", DNSOptions{Name: "www.example.org", Answers: []string{"192.0.2.2", "192.0.2.1"}}, ""},
		{"aaaa", DNSOptions{Name: "www.example.org", Type: "aaaa", Answers: []string{"2001:DB8::1"}}, ""},
		{"srv", DNSOptions{Name: "www.example.org.", Type: "SRV", Answers: []string{"10 5 80 web.example.org."}}, ""},
		{"answer missing", DNSOptions{Name: "www.example.org", Answers: []string{"192.0.2.3"}}, `answer "192.0.2.3" missing`},
		{"nxdomain expected", DNSOptions{Name: "nope.example.org", Rcode: "NXDOMAIN"}, ""},
		{"nxdomain", DNSOptions{Name: "nope.example.org"}, "rcode NXDOMAIN, want NOERROR"},
	}
	for _, tc := range cases {
		for _, tr := range []struct {
			name   string
			target Target
		}{{"udp", udp}, {"tcp", tcp}} {
			t.Run(tc.name+"/"+tr.name, func(t *testing.T) {
				tc.o.Transport = tr.name
				err := runCheck(t, Spec{Type: TypeDNS, DNS: tc.o}, tr.target)
				switch {
				case tc.want == "" && err != nil:
					t.Fatalf("got %v, want success", err)
				case tc.want != "" && (!errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), tc.want)):
					t.Fatalf("got %v, want ErrMismatch containing %q", err, tc.want)
				}
			})
		}
	}
}

func TestDNSBadSpec(t *testing.T) {
	for _, o := range []DNSOptions{
		{Name: "", Type: "A", Rcode: "NOERROR", Transport: "udp"},
		{Name: "www.example.org", Type: "NOPE", Rcode: "NOERROR", Transport: "udp"},
		{Name: "www.example.org", Type: "A", Rcode: "MAYBE", Transport: "udp"},
		{Name: "www.example.org", Type: "A", Rcode: "NOERROR", Transport: "sctp"},
	} {
		if _, err := newDNSChecker(o); !errors.Is(err, ErrInvalidSpec) {
			t.Errorf("%+v: got %v, want ErrInvalidSpec", o, err)
		}
	}
}
