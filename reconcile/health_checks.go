package reconcile

// HealthFromChecks folds per-check verdicts into the loop's Health: a
// backend is up when every check that decides it is up. needs lists, for
// each checked backend, the checks that decide it (K is the caller's check
// identity); up reports one check's current verdict.
func HealthFromChecks[K comparable](needs map[BackendKey][]K, up func(K) bool) Health {
	h := make(Health, len(needs))
	for bk, keys := range needs {
		all := true
		for _, k := range keys {
			all = all && up(k)
		}
		h[bk] = all
	}
	return h
}
