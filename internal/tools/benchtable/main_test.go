package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/internal/benchrow"
)

func TestCollectsRowsFromNoisyLogs(t *testing.T) {
	var log bytes.Buffer
	log.WriteString("=== RUN TestX\nsome table | a | b |\n")
	benchrow.Write(&log, "reconcile", "plan\tno change", "1.5 ms", "30 ms", 0.05)
	log.WriteString("[   12.3] console: ")
	benchrow.Write(&log, "kernel", "dump 10k", "20 ms", "", 0)
	log.WriteString("\r\nok\n")
	rows, err := parse(&log)
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %v, err %v", rows, err)
	}
	if rows[0] != (row{"reconcile", "plan no change", "1.5 ms", "30 ms", "0.050"}) || rows[1].ratio != "-" || rows[1].suite != "kernel" {
		t.Fatalf("rows: %+v", rows)
	}
	var out strings.Builder
	render(&out, rows)
	if !strings.Contains(out.String(), "| reconcile | plan no change | 1.5 ms | 30 ms | 0.050 |\n") {
		t.Fatalf("table:\n%s", out.String())
	}
}

func TestRejectsTruncatedRow(t *testing.T) {
	if _, err := parse(strings.NewReader("BENCHROW\tkernel\tonly\n")); err == nil {
		t.Fatal("a truncated row was accepted")
	}
}
