//go:build !unix

package desired

import "os"

// openNonblocking opens path for reading; this system's opens of pipes do
// not wait for a writer.
func openNonblocking(path string) (*os.File, error) {
	return os.Open(path)
}
