package hooks

import (
	"slices"
	"testing"
)

func seqs(q *queue) []uint64 {
	var out []uint64
	for _, x := range q.items {
		out = append(out, x.seq)
	}
	return out
}

func TestQueueDropsOldestWhenFull(t *testing.T) {
	q := queue{limit: 3}
	var dropped int
	for i := uint64(1); i <= 5; i++ {
		if q.push(queued{seq: i, ev: Event{Kind: "master"}}) {
			dropped++
		}
	}
	if dropped != 2 || !slices.Equal(seqs(&q), []uint64{3, 4, 5}) {
		t.Fatalf("dropped %d, queue %v; want 2 dropped and [3 4 5]", dropped, seqs(&q))
	}
	x, ok := q.pop()
	if !ok || x.seq != 3 || q.len() != 2 {
		t.Fatalf("pop = %v %v, len %d; want seq 3 and 2 left", x.seq, ok, q.len())
	}
}

func TestQueueKeepOnly(t *testing.T) {
	q := queue{limit: 8}
	for i, k := range []string{"master", "stop", "backup", "stop"} {
		q.push(queued{seq: uint64(i + 1), ev: Event{Kind: k}})
	}
	if n := q.keepOnly(func(k string) bool { return k == "stop" }); n != 2 {
		t.Fatalf("keepOnly dropped %d, want 2", n)
	}
	if !slices.Equal(seqs(&q), []uint64{2, 4}) {
		t.Fatalf("queue %v, want [2 4]", seqs(&q))
	}
	var empty queue
	if _, ok := empty.pop(); ok {
		t.Fatal("pop of an empty queue reported an event")
	}
}
