package desired

// uniqueCount counts, across the files of the last build, how often each
// service name, VIP/protocol/port pair and fwmark is used, so a build
// learns whether any is used twice from the files that came and went
// instead of from every service. Only then does checkUnique run over
// every service, to report each duplicate where it is.
type uniqueCount struct {
	names map[string]int
	vips  map[vipKey]int
	marks map[fwmarkKey]int
	// dups is how many uses there are beyond each key's first.
	dups int
	// files are the files counted.
	files map[*builtFile]bool
}

// serviceKeys are the keys a file's services claim, as checkUnique reads
// them: every name but "", and per service its fwmark or else its
// VIP/protocol/port pairs.
type serviceKeys struct {
	names []string
	vips  []vipKey
	marks []fwmarkKey
}

// keysOf lists the keys services claim.
func keysOf(services []Service) *serviceKeys {
	k := &serviceKeys{}
	for _, s := range services {
		if s.Name != "" {
			k.names = append(k.names, s.Name)
		}
		if s.Fwmark != 0 {
			k.marks = append(k.marks, fwmarkKey{s.Fwmark, s.IPv6})
			continue
		}
		for _, pt := range s.Ports {
			k.vips = append(k.vips, vipKey{s.VIP, pt.Proto, pt.Port})
		}
	}
	return k
}

// update makes the counts those of files, adding the files not counted
// yet and removing the counted ones no longer there, and reports whether
// any key is used more than once.
func (u *uniqueCount) update(files []*builtFile) (dups bool) {
	if u.files == nil {
		u.names, u.vips, u.marks = map[string]int{}, map[vipKey]int{}, map[fwmarkKey]int{}
		u.files = map[*builtFile]bool{}
	}
	now := make(map[*builtFile]bool, len(files))
	for _, bf := range files {
		now[bf] = true
		if !u.files[bf] {
			u.files[bf] = true
			u.count(bf.keys, 1)
		}
	}
	for bf := range u.files {
		if !now[bf] {
			delete(u.files, bf)
			u.count(bf.keys, -1)
		}
	}
	return u.dups > 0
}

// count adds d (1 or -1) to each of k's keys.
func (u *uniqueCount) count(k *serviceKeys, d int) {
	for _, n := range k.names {
		u.dups += step(u.names, n, d)
	}
	for _, v := range k.vips {
		u.dups += step(u.vips, v, d)
	}
	for _, m := range k.marks {
		u.dups += step(u.marks, m, d)
	}
}

// step adds d to m[k] and returns the change in uses beyond the first.
func step[K comparable](m map[K]int, k K, d int) int {
	before := m[k]
	after := before + d
	if after == 0 {
		delete(m, k)
	} else {
		m[k] = after
	}
	return max(after-1, 0) - max(before-1, 0)
}
