package kernel

// schedulerNames are the in-tree IPVS schedulers (twos needs Linux 6.7 or
// later).
var schedulerNames = []string{"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"}

// Schedulers returns the names of every in-tree IPVS scheduler (twos needs
// Linux 6.7 or later).
func Schedulers() []string { return append([]string(nil), schedulerNames...) }
