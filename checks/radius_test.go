package checks

import (
	"errors"
	"net"
	"strings"
	"testing"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
)

const testSecret = "s3cr3t"

// serveRADIUS runs a layeh.com/radius server on loopback: alice/wonderland
// is accepted, carol is challenged, everyone else rejected.
func serveRADIUS(t *testing.T) Target {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &radius.PacketServer{
		SecretSource: radius.StaticSecretSource([]byte(testSecret)),
		Handler: radius.HandlerFunc(func(w radius.ResponseWriter, r *radius.Request) {
			user, pass := rfc2865.UserName_GetString(r.Packet), rfc2865.UserPassword_GetString(r.Packet)
			code := radius.CodeAccessReject
			switch {
			case user == "alice" && pass == "wonderland" && rfc2865.NASIdentifier_GetString(r.Packet) == "lb1":
				code = radius.CodeAccessAccept
			case user == "carol":
				code = radius.CodeAccessChallenge
			}
			w.Write(r.Response(code))
		}),
	}
	go srv.Serve(pc)
	t.Cleanup(func() { pc.Close() })
	return targetOf(t, pc.LocalAddr())
}

func TestRADIUS(t *testing.T) {
	target := serveRADIUS(t)
	cases := []struct {
		name string
		o    RADIUSOptions
		want string
	}{
		{"accept", RADIUSOptions{User: "alice", Password: "wonderland", NASIdentifier: "lb1"}, ""},
		{"reject expected", RADIUSOptions{User: "bob", Password: "x", Expect: "Reject"}, ""},
		{"challenge expected", RADIUSOptions{User: "carol", Password: "x", Expect: "challenge"}, ""},
		{"rejected", RADIUSOptions{User: "alice", Password: "wrong", NASIdentifier: "lb1"}, "Access-Reject, want Access-Accept"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Secret = testSecret
			err := runCheck(t, Spec{Type: TypeRADIUS, RADIUS: tc.o}, target)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("got %v, want success", err)
			case tc.want != "" && (!errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want ErrMismatch containing %q", err, tc.want)
			}
		})
	}
}
