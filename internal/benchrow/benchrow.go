// Package benchrow writes one machine-readable benchmark row per figure, so
// that `make bench` can collect every suite's results into one table
// (internal/tools/benchtable). A row is one line:
//
//	BENCHROW<TAB>suite<TAB>figure<TAB>ours<TAB>peer<TAB>ratio
//
// ours and peer are human-readable values with units; ratio is ours/peer.
package benchrow

import (
	"fmt"
	"io"
	"strings"
)

// Prefix starts every row.
const Prefix = "BENCHROW"

// Write prints one row; tabs and newlines in the fields become spaces.
// A ratio that is not finite or not positive is printed as "-".
func Write(w io.Writer, suite, figure, ours, peer string, ratio float64) {
	clean := strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")
	r := "-"
	if ratio > 0 && ratio < 1e12 {
		r = fmt.Sprintf("%.3f", ratio)
	}
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", Prefix, clean.Replace(suite), clean.Replace(figure),
		clean.Replace(ours), clean.Replace(peer), r)
}
