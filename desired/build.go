package desired

import (
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// build combines parsed files into a validated Config. It reports every
// problem of every file and every cross-file problem at once, as Errors
// sorted by file and position. The result does not depend on the order of files.
func build(files []*parsedFile) (Config, error) {
	bl := cachedBuilder{fullUnique: true}
	return bl.build(files)
}

// cachedBuilder is build with a memory: it keeps each file's services as
// resolved and checked against the node and shared checks, and reuses them
// while the same *parsedFile comes back with the same node, shared checks and
// set of unparsed files, so a reload that re-parsed one file re-checks one
// file. The cross-file checks (one node, unique check names, check marks,
// tracking) run over every service; unique service names, VIP/port pairs
// and fwmarks are counted per file as files come and go (uniqueCount), and
// checked over every service only when a key is used twice. The zero cachedBuilder is ready; not safe for
// concurrent use.
type cachedBuilder struct {
	cache  map[*parsedFile]*builtFile
	uniq   uniqueIndex
	counts uniqueCount
	// fullUnique checks every service for duplicates on every build, as
	// the one-shot build does (the reference the cached one is tested against).
	fullUnique bool
}

// builtFile is the per-file part of a build and what it depended on.
type builtFile struct {
	node     *Node
	shared   map[string]Check
	unparsed bool
	services []Service
	paths    []string
	errs     Errors
	// keys are the unique keys the services claim.
	keys *serviceKeys
	// sorted: the services come in name order; pathChecks: one has a
	// dsr or tunnel check (checkCheckMarks has work).
	sorted, pathChecks bool
}

// build is the package's build, reusing the per-file results of earlier calls.
func (bl *cachedBuilder) build(files []*parsedFile) (Config, error) {
	files = slices.Clone(files)
	slices.SortFunc(files, func(a, b *parsedFile) int { return strings.Compare(a.Name, b.Name) })
	b := &builder{uniq: &bl.uniq}
	for _, f := range files {
		b.errs = append(b.errs, f.errs...)
		b.unparsed = b.unparsed || f.unparsed
	}
	node := b.node(files)
	shared := b.sharedChecks(files)
	built := make([]*builtFile, len(files))
	next := make(map[*parsedFile]*builtFile, len(files))
	total := 0
	for i, f := range files {
		bf := bl.cache[f]
		if bf == nil || bf.unparsed != b.unparsed || !reflect.DeepEqual(bf.node, node) || !maps.EqualFunc(bf.shared, shared, checkEqual) {
			bf = buildFile(f, shared, node, b.unparsed)
		}
		built[i], next[f] = bf, bf
		total += len(bf.services)
	}
	bl.cache = next
	var cfg Config
	cfg.Services = make([]Service, 0, total)
	for i, bf := range built {
		cfg.Files = append(cfg.Files, files[i].Name)
		cfg.Services = append(cfg.Services, bf.services...)
		b.errs = append(b.errs, bf.errs...)
	}
	if node != nil {
		cfg.Node = *node
		if slices.ContainsFunc(built, func(bf *builtFile) bool { return bf.pathChecks }) {
			b.checkCheckMarks(&cfg)
		}
	}
	if bl.fullUnique || bl.counts.update(built) {
		// The paths of the services, in the same order, name each duplicate.
		b.paths = make([]string, 0, total)
		for _, bf := range built {
			b.paths = append(b.paths, bf.paths...)
		}
		b.checkUnique(cfg.Services)
	}
	cfg.Addresses = b.addFloating(files, node, cfg.Services)
	for _, c := range shared {
		cfg.Checks = append(cfg.Checks, c)
	}
	slices.SortFunc(cfg.Checks, func(a, b Check) int { return strings.Compare(a.Name, b.Name) })
	if !inNameOrder(built) { // files holding names in order need no sort
		slices.SortStableFunc(cfg.Services, byName)
	}
	if node != nil { // the names the node refers to are looked up in the sorted services
		b.checkTracking(&cfg)
		b.checkNotify(&cfg)
	}
	if len(b.errs) > 0 {
		return Config{}, b.errs.sort()
	}
	return cfg, nil
}

func checkEqual(a, b Check) bool { return reflect.DeepEqual(a, b) }

func byName(a, b Service) int { return strings.Compare(a.Name, b.Name) }

// inNameOrder reports whether the files' services, one file after the
// other, come in name order: each file's do, and each file's first name
// is not before the last name of the files before it.
func inNameOrder(built []*builtFile) bool {
	var last *Service
	for _, bf := range built {
		if !bf.sorted {
			return false
		}
		if len(bf.services) == 0 {
			continue
		}
		if last != nil && last.Name > bf.services[0].Name {
			return false
		}
		last = &bf.services[len(bf.services)-1]
	}
	return true
}

// hasPathCheck reports whether s has a dsr or tunnel check.
func hasPathCheck(s Service) bool {
	return slices.ContainsFunc(s.Checks, func(c Check) bool { return c.Mode == ModeDSR || c.Mode == ModeTunnel })
}

// buildFile resolves a file's check references and checks its services on
// their own and against the node.
func buildFile(f *parsedFile, shared map[string]Check, node *Node, unparsed bool) *builtFile {
	b := &builder{unparsed: unparsed}
	var cfg Config
	b.addServices(f, shared, &cfg)
	if node != nil {
		b.checkServicesAgainstNode(cfg.Services, *node)
	}
	return &builtFile{node: node, shared: shared, unparsed: unparsed,
		services: cfg.Services, paths: b.paths, errs: b.errs, keys: keysOf(cfg.Services),
		sorted: slices.IsSortedFunc(cfg.Services, byName), pathChecks: slices.ContainsFunc(cfg.Services, hasPathCheck)}
}

// builder collects the cross-file errors of build.
type builder struct {
	errs Errors
	// unparsed is set when a file could not be read or parsed: names it may
	// define (node, shared checks, services) are then not reported as missing.
	unparsed bool
	// paths are the in-file paths of the services, parallel to Config.Services until it is sorted.
	paths []string
	// uniq are checkUnique's maps (nil: make them).
	uniq *uniqueIndex
}

// errorAt records a problem at a source position.
func (b *builder) errorAt(s Source, path, msg string) {
	b.errs = append(b.errs, Error{File: s.File, Line: s.Line, Col: s.Col, Path: path, Msg: msg})
}

// node returns the one node section, reporting none or several.
func (b *builder) node(files []*parsedFile) *Node {
	var first *parsedFile
	for _, f := range files {
		switch {
		case f.node == nil:
		case first == nil:
			first = f
		default:
			b.errorAt(f.nodeSrc, "node", "node is already defined in "+pos(first.nodeSrc)+
				"; exactly one file may define it")
		}
	}
	if first == nil {
		if len(files) > 0 && !b.unparsed {
			b.errs = append(b.errs, Error{File: files[0].Name, Line: 1, Col: 1, Path: "node",
				Msg: "no file defines node (exactly one must)"})
		}
		return nil
	}
	n := *first.node
	return &n
}

// pos renders a source position as FILE:LINE:COL.
func pos(s Source) string {
	return s.File + ":" + strconv.Itoa(s.Line) + ":" + strconv.Itoa(s.Col)
}

// sharedChecks indexes the shared checks by name, reporting duplicates.
func (b *builder) sharedChecks(files []*parsedFile) map[string]Check {
	out := map[string]Check{}
	for _, f := range files {
		for i, c := range f.checks {
			if c.Name == "" {
				continue
			}
			if prev, ok := out[c.Name]; ok {
				b.errorAt(c.Source, index("checks", i)+".name", "duplicate check name "+quote(c.Name)+
					" (first defined at "+pos(prev.Source)+")")
				continue
			}
			out[c.Name] = c
		}
	}
	return out
}

// quote quotes a name for a message.
func quote(s string) string { return `"` + s + `"` }

// addServices resolves a file's check references and appends its services.
func (b *builder) addServices(f *parsedFile, shared map[string]Check, cfg *Config) {
	if len(f.services) == 0 {
		return
	}
	start := len(cfg.Services)
	cfg.Services = append(cfg.Services, f.services...)
	services := cfg.Services[start:]
	for _, r := range f.refs {
		c, ok := shared[r.name]
		if !ok {
			if !b.unparsed {
				b.errorAt(r.src, r.path, "no shared check named "+quote(r.name))
			}
			continue
		}
		s := &services[r.service]
		if s.Checks[r.check].Name == r.name && s.Checks[r.check].Type == "" {
			if i := r.check; i < len(s.Checks) {
				s.Checks = slices.Clone(s.Checks)
				c.Source = r.src
				s.Checks[i] = c
			}
		}
	}
	for i := range services {
		b.checkServiceChecks(&services[i], index("services", i))
		b.paths = append(b.paths, index("services", i))
	}
}
