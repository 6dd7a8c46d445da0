// Command benchtable collects the BENCHROW lines (internal/benchrow) of the
// benchmark logs named on the command line, or of stdin, into one Markdown
// table: suite, figure, ours, peer, ratio. make bench runs it.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// row is one collected benchmark figure.
type row struct{ suite, figure, ours, peer, ratio string }

// parse returns the rows of r in order; lines may carry console noise
// before the prefix (the VM's serial console) and a trailing \r.
func parse(r io.Reader) ([]row, error) {
	var rows []row
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r ")
		i := strings.Index(line, "BENCHROW\t")
		if i < 0 {
			continue
		}
		f := strings.Split(line[i:], "\t")
		if len(f) != 6 {
			return rows, fmt.Errorf("parse benchmark row %q: want 6 tab-separated fields, have %d", line[i:], len(f))
		}
		rows = append(rows, row{f[1], f[2], f[3], f[4], f[5]})
	}
	if err := sc.Err(); err != nil {
		return rows, fmt.Errorf("read benchmark log: %w", err)
	}
	return rows, nil
}

// render writes rows as one Markdown table.
func render(w io.Writer, rows []row) {
	fmt.Fprintln(w, "| suite | figure | ours | peer | ours/peer |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", r.suite, r.figure, r.ours, r.peer, r.ratio)
	}
}

func main() {
	var rows []row
	read := func(name string, r io.Reader) {
		got, err := parse(r)
		if err != nil {
			fmt.Fprintf(os.Stderr, "benchtable: %s: %v\n", name, err)
			os.Exit(1)
		}
		rows = append(rows, got...)
	}
	if len(os.Args) == 1 {
		read("stdin", os.Stdin)
	}
	for _, name := range os.Args[1:] {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(os.Stderr, "benchtable: %v\n", err)
			os.Exit(1)
		}
		read(name, f)
		f.Close()
	}
	if len(rows) == 0 {
		fmt.Fprintln(os.Stderr, "benchtable: no BENCHROW lines found")
		os.Exit(1)
	}
	render(os.Stdout, rows)
}
