package testenv

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer that a logger, a process's output copiers and
// the test reading it can share.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Len is how many bytes have been written.
func (b *Buffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Len()
}

// Since returns what was written after the first off bytes.
func (b *Buffer) Since(off int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.b.Bytes()[min(off, b.b.Len()):])
}
