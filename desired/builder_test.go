package desired

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// randFile renders a random configuration file from a small pool of names,
// VIPs, interfaces and check references, so files often collide with each
// other (two nodes, duplicate names or VIPs, missing shared checks,
// services outside the scope) and sometimes do not parse at all.
func randFile(r *rand.Rand) string {
	var b strings.Builder
	if r.IntN(25) == 0 {
		fmt.Fprintf(&b, "node: {name: lb1, interface: eth%d, scope: {prefixes: [192.0.2.0/%d]}}\n", 1+r.IntN(2), []int{24, 25}[r.IntN(2)])
	}
	if r.IntN(30) == 0 {
		fmt.Fprintf(&b, "checks:\n  - {name: %s, type: tcp, port: 80}\n", []string{"ping", "web"}[r.IntN(2)])
	}
	if r.IntN(40) == 0 {
		b.WriteString("services: [\n")
		return b.String()
	}
	if r.IntN(15) == 0 { // a floating address, sometimes another file's or a service's VIP
		fmt.Fprintf(&b, "addresses: [192.0.2.%d]\n", []int{1, 2, 3, 151, 152}[r.IntN(5)])
	}
	n := r.IntN(4)
	if n == 0 {
		b.WriteString("services: []\n")
	} else {
		b.WriteString("services:\n")
	}
	for range n {
		vip := 1 + r.IntN(150)
		if r.IntN(30) == 0 {
			vip = 200
		}
		fmt.Fprintf(&b, "  - name: s%d\n    vip: 192.0.2.%d\n    ports: [{proto: tcp, port: %d}]\n", r.IntN(200), vip, 80+r.IntN(2))
		if r.IntN(30) == 0 {
			fmt.Fprintf(&b, "    interface: eth%d\n", 1+r.IntN(3))
		}
		if r.IntN(30) == 0 {
			fmt.Fprintf(&b, "    checks: [%s]\n", []string{"ping", "web"}[r.IntN(2)])
		}
		b.WriteString("    backends:\n")
		for j := range 1 + r.IntN(3) {
			fmt.Fprintf(&b, "      - {address: 198.51.100.%d, weight: %d}\n", 1+j, 1+r.IntN(5))
		}
	}
	return b.String()
}

// TestBuilderEqualsBuild applies random edits, additions and deletions to a
// directory of files, re-parsing only the files that changed as the daemon
// does: the cachedBuilder's result (config or errors) equals a fresh build's
// every step.
func TestBuilderEqualsBuild(t *testing.T) {
	valid, invalid := 0, 0
	for seed := range uint64(30) {
		r := rand.New(rand.NewPCG(seed, 3))
		files := map[string]*parsedFile{}
		parseRandom := func(name string) { files[name] = parse(name, []byte(randFile(r)), "", nil) }
		files["node.yaml"] = parse("node.yaml", []byte("node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]}}\n"), "", nil)
		for i := range 4 {
			parseRandom(fmt.Sprintf("f%d.yaml", i))
		}
		var bl cachedBuilder
		for step := range 60 {
			name := fmt.Sprintf("f%d.yaml", r.IntN(8))
			switch _, ok := files[name]; {
			case ok && r.IntN(4) == 0:
				delete(files, name)
			case step%10 == 9:
				node := fmt.Sprintf("node: {name: lb1, interface: eth%d, scope: {prefixes: [192.0.2.0/%d]}%s}\n", 1+r.IntN(2), []int{24, 25}[r.IntN(2)], randNodeRefs(r))
				if r.IntN(3) == 0 {
					node = randFile(r)
				}
				files["node.yaml"] = parse("node.yaml", []byte(node), "", nil)
			case step > 0:
				parseRandom(name)
			}
			list := make([]*parsedFile, 0, len(files))
			for _, f := range files {
				list = append(list, f)
			}
			got, gotErr := bl.build(list)
			want, wantErr := build(list)
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Fatalf("seed %d step %d: cachedBuilder error\n%v\nBuild error\n%v", seed, step, gotErr, wantErr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("seed %d step %d: cachedBuilder config\n%+v\nBuild config\n%+v", seed, step, got, want)
			}
			if wantErr == nil {
				valid++
			} else {
				invalid++
			}
		}
	}
	if valid < 100 || invalid < 100 {
		t.Fatalf("%d valid and %d invalid steps: the generator no longer covers both", valid, invalid)
	}
}

// randNodeRefs renders, at random, node keys that name services (VRRP
// tracking, hooks limited to services), which the build looks up among
// every file's services.
func randNodeRefs(r *rand.Rand) string {
	var b strings.Builder
	if r.IntN(2) == 0 {
		fmt.Fprintf(&b, ", vrrp: {vrid: 7, track: {services: [{name: s%d, decrement: 10}]}}", r.IntN(200))
	}
	if r.IntN(2) == 0 {
		fmt.Fprintf(&b, ", notify: [{name: h, on: [service_down], run: [/bin/true], services: [s%d, s%d]}]", r.IntN(200), r.IntN(200))
	}
	return b.String()
}
