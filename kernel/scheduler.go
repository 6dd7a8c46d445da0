package kernel

// Schedulers returns the names of every in-tree IPVS scheduler (twos needs
// Linux 6.7 or later).
func Schedulers() []string {
	return []string{"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"}
}
