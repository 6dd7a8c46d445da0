package checks

// health is a target's state with rise/fall hysteresis: streak counts the
// consecutive results that disagree with the current state. It flips the
// state when streak reaches Rise (while down) or Fall (while up).
type health struct {
	state  State
	streak int32
}

// observe records one result and reports whether the state changed.
func (h *health) observe(ok bool, rise, fall int) bool {
	agrees := ok == (h.state == StateUp)
	if agrees {
		h.streak = 0
		return false
	}
	h.streak++
	need := rise
	if h.state == StateUp {
		need = fall
	}
	if int(h.streak) < need {
		return false
	}
	h.state ^= 1
	h.streak = 0
	return true
}

// changing reports whether results currently disagree with the state.
func (h health) changing() bool { return h.streak > 0 }
