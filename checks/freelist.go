package checks

// reuse pops a finished item off free, or makes a new one: the connect
// loop's waiters and the half-open probes are recycled, so checks in
// flight allocate nothing once the pool has grown.
func reuse[T any](free *[]*T) *T {
	if n := len(*free); n > 0 {
		it := (*free)[n-1]
		*free = (*free)[:n-1]
		return it
	}
	return new(T)
}
