package checks

import (
	"errors"
	"net"
	"strings"
	"testing"
)

// listenUDP answers each datagram with reply(datagram), or not at all when
// reply returns nil.
func listenUDP(t *testing.T, network, addr string, reply func([]byte) []byte) Target {
	t.Helper()
	pc, err := net.ListenPacket(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if r := reply(buf[:n]); r != nil {
				pc.WriteTo(r, from)
			}
		}
	}()
	return targetOf(t, pc.LocalAddr())
}

func TestUDP(t *testing.T) {
	echo := func(b []byte) []byte { return append([]byte("echo:"), b...) }
	for _, fam := range [][2]string{{"udp4", "127.0.0.1:0"}, {"udp6", "[::1]:0"}} {
		target := listenUDP(t, fam[0], fam[1], echo)
		if err := runCheck(t, Spec{Type: TypeUDP, Send: "ping", Expect: Expect{Contains: "echo:ping"}}, target); err != nil {
			t.Errorf("%s: got %v, want success", fam[0], err)
		}
		if err := runCheck(t, Spec{Type: TypeUDP, Send: "ping"}, target); err != nil {
			t.Errorf("%s without expect: got %v, want success", fam[0], err)
		}
		err := runCheck(t, Spec{Type: TypeUDP, Send: "ping", Expect: Expect{Regexp: "^pong"}}, target)
		if !errors.Is(err, ErrMismatch) {
			t.Errorf("%s mismatch: got %v, want ErrMismatch", fam[0], err)
		}
	}
}

func TestUDPPortUnreachable(t *testing.T) {
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := targetOf(t, pc.LocalAddr())
	pc.Close()
	err = runCheck(t, Spec{Type: TypeUDP, Send: "ping"}, target)
	if err == nil || errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("closed port: got %v, want connection refused (not a timeout)", err)
	}
}
