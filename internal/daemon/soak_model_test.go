package daemon

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// soakService is one service of the soak model: a tcp VIP:port whose
// backends (address -> weight) listen on port 80, masquerading.
type soakService struct {
	name     string
	vip      string
	port     int
	backends map[string]int
}

// soakModel is the soak test's own view of the configuration: one file per
// group of services. It renders both the YAML files and the ipvsadm -Sn
// lines the kernel must hold, independently of the daemon's code.
type soakModel struct {
	files   [][]*soakService
	nextSvc int
}

// newSoakModel makes files x perFile services, two backends each.
func newSoakModel(files, perFile int) *soakModel {
	m := &soakModel{files: make([][]*soakService, files)}
	for f := range m.files {
		for range perFile {
			m.files[f] = append(m.files[f], m.newService(2))
		}
	}
	return m
}

// newService numbers services so that VIP:port never repeats: 8 ports per
// VIP in 192.0.2.0/24 (so at most 2,000 services over a run).
func (m *soakModel) newService(backends int) *soakService {
	i := m.nextSvc
	m.nextSvc++
	s := &soakService{name: fmt.Sprintf("s%d", i), vip: fmt.Sprintf("192.0.2.%d", 1+i/8), port: 1000 + i%8,
		backends: map[string]int{}}
	for b := range backends {
		s.backends[fmt.Sprintf("198.51.100.%d", 1+(i+b)%150)] = 1 + b
	}
	return s
}

// fileName is the config file of group f.
func soakFileName(f int) string { return fmt.Sprintf("svc-%02d.yaml", f) }

// render is group f as YAML.
func (m *soakModel) render(f int) string {
	var b strings.Builder
	b.WriteString("services:\n")
	for _, s := range m.files[f] {
		fmt.Fprintf(&b, "  - name: %s\n    vip: %s\n    ports: [{proto: tcp, port: %d}]\n    forward: nat\n    backends:\n", s.name, s.vip, s.port)
		for _, a := range slices.Sorted(mapKeys(s.backends)) {
			fmt.Fprintf(&b, "      - {address: %s, port: 80, weight: %d}\n", a, s.backends[a])
		}
	}
	return b.String()
}

func mapKeys(m map[string]int) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// mutate makes one valid random edit to a file other than skip (-1: any)
// and returns that file and the kind of edit.
func (m *soakModel) mutate(r *rand.Rand, skip int) (int, string) {
	f := r.IntN(len(m.files))
	for f == skip && len(m.files) > 1 {
		f = r.IntN(len(m.files))
	}
	svcs := m.files[f]
	switch k := r.IntN(5); {
	case k == 0 && len(svcs) > 1:
		i := r.IntN(len(svcs))
		m.files[f] = slices.Delete(svcs, i, i+1)
		return f, "remove service"
	case k == 1 && m.nextSvc < 1900:
		m.files[f] = append(svcs, m.newService(1+r.IntN(3)))
		return f, "add service"
	case k == 2:
		s := svcs[r.IntN(len(svcs))]
		s.backends[fmt.Sprintf("198.51.100.%d", 1+r.IntN(150))] = 1 + r.IntN(50)
		return f, "add backend"
	case k == 3:
		s := svcs[r.IntN(len(svcs))]
		if len(s.backends) > 1 {
			delete(s.backends, slices.Sorted(mapKeys(s.backends))[0])
			return f, "remove backend"
		}
	}
	s := svcs[r.IntN(len(svcs))]
	a := slices.Sorted(mapKeys(s.backends))[0]
	s.backends[a] = 1 + r.IntN(100)
	return f, "weight"
}

// invalid returns group f with one error the loader must reject; n varies it.
func (m *soakModel) invalid(f, n int) string {
	switch n % 3 {
	case 0:
		return m.render(f) + fmt.Sprintf("  - {name: bad%d, vip: 192.0.2.250, ports: [{proto: tcp, port: %d}], backends: [{address: 198.51.100.1}]}\n", n, 65536+n)
	case 1:
		return m.render(f) + "  - {name: broken\n"
	default:
		return m.render(f) + fmt.Sprintf("  - {name: bad%d, vip: 192.0.2.300, ports: [{proto: tcp, port: 80}], backends: [{address: 198.51.100.1}]}\n", n)
	}
}

// ipvsadmLines is the sorted `ipvsadm -Sn` lines the model's services must
// produce with every backend healthy (default scheduler wlc, masquerading).
func (m *soakModel) ipvsadmLines() []string {
	var lines []string
	for _, svcs := range m.files {
		for _, s := range svcs {
			svc := fmt.Sprintf("%s:%d", s.vip, s.port)
			lines = append(lines, "-A -t "+svc+" -s wlc")
			for a, w := range s.backends {
				lines = append(lines, fmt.Sprintf("-a -t %s -r %s:80 -m -w %d", svc, a, w))
			}
		}
	}
	slices.Sort(lines)
	return lines
}

// soakFlap matches the destinations of the flapping group, whose addresses
// are local to the VM: the kernel may show them with any forward flag.
var soakLocalFlag = regexp.MustCompile(`(-r 198\.51\.100\.2(?:0[0-9]|1[0-9]):\d+) -[gim] `)

// normalizeIPVSADM sorts `ipvsadm -Sn` output into lines, with the forward
// flag of local destinations shown as -m.
func normalizeIPVSADM(out string) []string {
	var lines []string
	for l := range strings.Lines(out) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, soakLocalFlag.ReplaceAllString(l, "$1 -m "))
		}
	}
	slices.Sort(lines)
	return lines
}

// TestSoakModel: the model's YAML loads through the daemon's own plan path
// elsewhere; here, that edits stay unique and the rendering is consistent.
func TestSoakModel(t *testing.T) {
	m := newSoakModel(4, 25)
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		m.mutate(r, -1)
	}
	seen := map[string]bool{}
	for _, svcs := range m.files {
		if len(svcs) == 0 {
			t.Fatal("a file lost all its services")
		}
		for _, s := range svcs {
			key := fmt.Sprintf("%s:%d", s.vip, s.port)
			if seen[key] || len(s.backends) == 0 {
				t.Fatalf("service %s repeated or without backends", key)
			}
			seen[key] = true
		}
	}
	lines := m.ipvsadmLines()
	if got := normalizeIPVSADM(strings.Join(lines, "\n")); !slices.Equal(got, lines) {
		t.Fatal("normalizing the expected rendering changed it")
	}
	if !strings.Contains(m.invalid(0, 0), "port: 65536") {
		t.Fatal("invalid rendering lacks its error")
	}
}
