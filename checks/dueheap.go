package checks

// dueItem is what dueHeap orders: a due time and a slot for the item's
// position, which heap.Remove and heap.Fix need.
type dueItem interface {
	dueAt() int64 // unix nanoseconds
	setIndex(int) // -1 once out of the heap
}

// dueHeap is a min-heap of items by due time (container/heap.Interface),
// for the connect loop's waiting connects and the half-open probes.
type dueHeap[T dueItem] []T

func (h dueHeap[T]) Len() int           { return len(h) }
func (h dueHeap[T]) Less(i, j int) bool { return h[i].dueAt() < h[j].dueAt() }
func (h dueHeap[T]) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].setIndex(i)
	h[j].setIndex(j)
}

// Push and Pop implement heap.Interface.
func (h *dueHeap[T]) Push(x any) {
	it := x.(T)
	it.setIndex(len(*h))
	*h = append(*h, it)
}

func (h *dueHeap[T]) Pop() any {
	old := *h
	it := old[len(old)-1]
	var zero T
	old[len(old)-1] = zero
	*h = old[:len(old)-1]
	it.setIndex(-1)
	return it
}
