package desired

import "testing"

// TestCheckDialPort: the check's port wins, then the backend's, then the
// service's first port.
func TestCheckDialPort(t *testing.T) {
	svc := Service{Ports: []Port{{Proto: "tcp", Port: 80}, {Proto: "tcp", Port: 443}}}
	tests := []struct {
		name  string
		check Check
		s     Service
		b     Backend
		want  uint16
	}{
		{"check port", Check{Port: 8080}, svc, Backend{Port: 8443}, 8080},
		{"backend port", Check{}, svc, Backend{Port: 8443}, 8443},
		{"first service port", Check{}, svc, Backend{}, 80},
		{"no port anywhere", Check{}, Service{}, Backend{}, 0},
	}
	for _, tc := range tests {
		if got := tc.check.DialPort(tc.s, tc.b); got != tc.want {
			t.Errorf("%s: DialPort = %d, want %d", tc.name, got, tc.want)
		}
	}
}
