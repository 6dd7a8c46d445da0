package desired

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// TestLoaderEqualsLoad applies random edits, additions and deletions to a
// directory: every Loader.Load returns what Load returns for the same files,
// and re-parses exactly the files whose content changed since the previous
// Load (a rewrite with the same text, at a new modification time, is not a
// change). It runs twice: with the real clock, where every file is new
// enough to be read on every Load, and with the Loader's clock an hour
// ahead, where unchanged files' stamps vouch for them and are not read.
func TestLoaderEqualsLoad(t *testing.T) {
	for _, ahead := range []time.Duration{0, time.Hour} {
		t.Run(fmt.Sprintf("clock+%s", ahead), func(t *testing.T) { testLoaderEqualsLoad(t, ahead) })
	}
}

func testLoaderEqualsLoad(t *testing.T, ahead time.Duration) {
	valid, invalid := 0, 0
	for seed := range uint64(10) {
		r := rand.New(rand.NewPCG(seed, 7))
		dir := t.TempDir()
		mtime := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		content := map[string]string{}
		write := func(name, text string) bool {
			old, had := content[name]
			content[name] = text
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			mtime = mtime.Add(time.Second) // a new identity even at the same size
			if err := os.Chtimes(path, mtime, mtime); err != nil {
				t.Fatal(err)
			}
			return !had || old != text
		}
		write("node.yaml", "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]}}\n")
		l := Loader{Dir: dir, now: func() time.Time { return time.Now().Add(ahead) }}
		written := map[string]bool{"node.yaml": true}
		for step := range 30 {
			if step > 0 {
				clear(written)
				for range 1 + r.IntN(2) {
					name := fmt.Sprintf("f%d.yaml", r.IntN(5))
					if _, err := os.Stat(filepath.Join(dir, name)); err == nil && r.IntN(4) == 0 {
						if err := os.Remove(filepath.Join(dir, name)); err != nil {
							t.Fatal(err)
						}
						delete(written, name)
						delete(content, name)
						continue
					}
					if write(name, randFile(r)) {
						written[name] = true
					}
				}
			}
			got, reparsed, gotErr := l.Load()
			want, wantErr := Load(dir)
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Fatalf("seed %d step %d: Loader error\n%v\nLoad error\n%v", seed, step, gotErr, wantErr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("seed %d step %d: Loader config\n%+v\nLoad config\n%+v", seed, step, got, want)
			}
			if reparsed != len(written) {
				t.Fatalf("seed %d step %d: %d files re-parsed, %d written", seed, step, reparsed, len(written))
			}
			if wantErr == nil {
				valid++
			} else {
				invalid++
			}
		}
		if _, reparsed, _ := l.Load(); reparsed != 0 {
			t.Fatalf("seed %d: an unchanged directory re-parsed %d files", seed, reparsed)
		}
	}
	if valid < 60 || invalid < 60 {
		t.Fatalf("%d valid and %d invalid steps: the edits no longer cover both", valid, invalid)
	}
}
