package checks

import "testing"

func TestHysteresis(t *testing.T) {
	cases := []struct {
		name       string
		initial    State
		rise, fall int
		results    string // '+' success, '-' failure
		states     string // state after each result: 'U' or 'D'
		changes    string // '^' where the state changed
	}{
		{"rise 1 fall 1", StateDown, 1, 1, "+-+-", "UDUD", "^^^^"},
		{"rise 2", StateDown, 2, 1, "+-++", "DDDU", "   ^"},
		{"fall 3 ignores blips", StateUp, 1, 3, "--+---", "UUUUUD", "     ^"},
		{"initial up stays up", StateUp, 2, 2, "++++", "UUUU", "    "},
		{"rise 3 fall 2 flap", StateDown, 3, 2, "+++--+--", "DDUUDDDD", "  ^ ^   "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := health{state: tc.initial}
			for i, r := range tc.results {
				changed := h.observe(r == '+', tc.rise, tc.fall)
				got := 'D'
				if h.state == StateUp {
					got = 'U'
				}
				if got != rune(tc.states[i]) || changed != (tc.changes[i] == '^') {
					t.Fatalf("after result %d (%c): state %c changed %v, want %c changed %v",
						i, r, got, changed, tc.states[i], tc.changes[i] == '^')
				}
			}
		})
	}
}

func TestHysteresisChanging(t *testing.T) {
	h := health{state: StateUp}
	if h.observe(false, 2, 3); !h.changing() {
		t.Fatal("one failure of three while up: want changing")
	}
	if h.observe(true, 2, 3); h.changing() {
		t.Fatal("success after a failure while up: want stable")
	}
}
