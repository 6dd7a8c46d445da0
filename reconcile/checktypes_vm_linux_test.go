package reconcile

import (
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/seesaw-lb/seesaw/checks"
	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/internal/netnsexec"
)

// udpEchoIn echoes datagrams on addr inside namespace ns.
func udpEchoIn(t *testing.T, ns, addr string) {
	t.Helper()
	pc := listenPacketIn(t, ns, addr)
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo(buf[:n], from)
		}
	}()
}

// dnsServeIn answers "check.example. A" with 192.0.2.53 on addr inside ns.
func dnsServeIn(t *testing.T, ns, addr string) {
	t.Helper()
	pc := listenPacketIn(t, ns, addr)
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: "check.example.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(192, 0, 2, 53)})
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
}

func listenPacketIn(t *testing.T, ns, addr string) net.PacketConn {
	t.Helper()
	var pc net.PacketConn
	if err := netnsexec.Do(ns, func() (err error) { pc, err = net.ListenPacket("udp", addr); return err }); err != nil {
		t.Fatalf("listen udp %s in %s: %v", addr, ns, err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc
}

// checkTypesThroughIPVS runs tcp, udp and dns checks (http ran before) down
// the same check services: backend A, which has the VIP, answers on the VIP;
// backend B runs the same servers on every address but lacks the VIP, so the
// packets IPVS sends it are not for it. A must be up and B down for each
// type: the UDP-based types are steered by the fwmark service like TCP.
func checkTypesThroughIPVS(t *testing.T, tp vmTopo, cfg desired.Config, marks CheckMarks) {
	t.Helper()
	udpEchoIn(t, "dsrA", net.JoinHostPort(tp.vip, "5300"))
	udpEchoIn(t, "dsrB", ":5300")
	dnsServeIn(t, "dsrA", net.JoinHostPort(tp.vip, "5353"))
	dnsServeIn(t, "dsrB", ":5353")
	base := checks.Spec{Interval: 200 * time.Millisecond, Timeout: 500 * time.Millisecond, Rise: 1, Fall: 1}
	tcp, udp, dnsSpec := base, base, base
	tcp.Type = checks.TypeTCP
	udp.Type, udp.Send, udp.Expect.Contains = checks.TypeUDP, "ping", "ping"
	dnsSpec.Type, dnsSpec.DNS = checks.TypeDNS, checks.DNSOptions{Name: "check.example", Answers: []string{"192.0.2.53"}}
	var cs []checks.Check
	names := map[checks.Target]string{}
	svc := &cfg.Services[0]
	for i := range svc.Backends {
		backend := svc.Backends[i].Address.String()
		for _, c := range []struct {
			spec *checks.Spec
			port uint16
		}{{&tcp, 80}, {&udp, 5300}, {&dnsSpec, 5353}} {
			d, err := CheckDialOf(marks, svc, &svc.Backends[i], &svc.Checks[1], c.port)
			if err != nil {
				t.Fatal(err)
			}
			tg := checks.Target{Address: d.Addr.Addr(), Port: d.Addr.Port(), Mark: d.Mark}
			names[tg] = string(c.spec.Type) + " " + backend
			cs = append(cs, checks.Check{Target: tg, Spec: c.spec})
		}
	}
	got := runTargets(t, cs, names)
	for _, typ := range []checks.Type{checks.TypeTCP, checks.TypeUDP, checks.TypeDNS} {
		if s := got[string(typ)+" "+tp.a]; s != checks.StateUp {
			t.Errorf("%s check through IPVS to A (has the VIP): %s, want up", typ, s)
		}
		if s := got[string(typ)+" "+tp.b]; s != checks.StateDown {
			t.Errorf("%s check through IPVS to B (lacks the VIP): %s, want down", typ, s)
		}
	}
}
