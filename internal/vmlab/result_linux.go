//go:build linux

package vmlab

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ReadyLine is the line a client role prints once its load is about to
// start; the test waits for it (Proc.WaitOutput) before it times the
// scenario's event.
const ReadyLine = "ready"

// ResultPrefix starts the line on which a client role prints its result
// as JSON (PrintResult); Proc.Result reads it back.
const ResultPrefix = "RESULT "

// PrintResult prints v as JSON on standard output after ResultPrefix, on
// a line of its own.
func PrintResult(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode the result %T: %w", v, err)
	}
	_, err = fmt.Println(ResultPrefix + string(b))
	return err
}

// Result decodes into v the JSON of the first result line (PrintResult's)
// in the program's output.
func (p *Proc) Result(v any) error {
	out := p.Output()
	i := strings.Index(out, ResultPrefix)
	if i < 0 {
		return fmt.Errorf("no %q line in the output of %s: %s", ResultPrefix, strings.Join(p.cmd.Args, " "), out)
	}
	line, _, _ := strings.Cut(out[i+len(ResultPrefix):], "\n")
	if err := json.Unmarshal([]byte(line), v); err != nil {
		return fmt.Errorf("decode the result line %q into %T: %w", line, v, err)
	}
	return nil
}
