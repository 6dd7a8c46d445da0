package checks

import (
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Options tune an Engine; zero values select the defaults.
type Options struct {
	// MaxInFlight bounds the checks running at once (default 1024).
	MaxInFlight int
	// Coalesce is how long state changes are gathered before delivery as
	// one batch (default 100ms).
	Coalesce time.Duration
	// Jitter spreads each interval by up to ±Jitter/2 of itself (default
	// 0.1); the first check of a new target is spread over a whole interval.
	Jitter float64
	// Logger receives state changes (default slog.Default()).
	Logger *slog.Logger
	// OnResult, if set, is called with every completed check (not with
	// checks cancelled at shutdown), outside the engine lock, on the
	// goroutine that finished the check: it must be safe for concurrent
	// use and quick (a histogram observation). For metrics.
	OnResult func(Result)

	// clock replaces the system clock (tests).
	clock clock
	// random replaces the randomly seeded source of the first-check spread
	// and the interval jitter (tests).
	random rand.Source
}

// Engine schedules checks and reports their state changes. One goroutine
// (Run) drives a timer heap and hands due checks to a pool of at most
// MaxInFlight workers. All methods are safe for concurrent use.
type Engine struct {
	opts   Options
	clock  clock
	env    *env
	events chan []Event
	wake   chan struct{}

	updating sync.Mutex // serializes Update
	mu       sync.Mutex
	entries  entryIndex
	specs    map[SpecID]*compiled
	heap     timerHeap
	inflight int
	workers  int // worker goroutines started
	// onWorkers counts the in-flight checks on workers (the rest run on
	// the connect loop): workers are started up to this many.
	onWorkers int
	jobs      chan job
	loop      *connLoop // plain connect checks in progress; nil: workers run them
	probes    lazyProbes
	timerAt   time.Time // when the Run loop will wake at the latest
	batches   coalescer
	stats     Stats
	rng       *rand.Rand
	gen       uint32 // counts Updates

	connectBuf []job      // reused by the Run goroutine: connect checks to start
	doneBuf    []done     // reused by the Run goroutine: their results
	chunks     chan []job // connect checks handed to helpers under a backlog
	spare      chan []job // chunk buffers helpers are done with
}

// entry is one scheduled check and its state, kept compact (the engine
// holds one per target; see entryIndex for the key map).
type entry struct {
	key     Key
	spec    *compiled
	next    *entry // in its entryIndex hash chain
	rec     record
	due     int64 // unix nanoseconds
	index   int32 // in the heap; -1 while running or removed
	health  health
	gen     uint32 // the Update that last wanted it
	removed bool
}

// compiled is a normalized spec and its checker, shared by its targets.
type compiled struct {
	spec    Spec
	checker checker
	refs    int
	// plainConnect: a tcp check without send or expect, which the engine
	// runs on its connect loop instead of a worker.
	plainConnect bool
	// halfOpen: a plain connect check the engine probes with a SYN
	// (Spec.HalfOpen) where it can.
	halfOpen bool
}

// newCompiled pairs a normalized spec with its checker.
func newCompiled(s Spec, c checker) *compiled {
	tc, ok := c.(*tcpChecker)
	plain := ok && tc.plain()
	return &compiled{spec: s, checker: c, plainConnect: plain, halfOpen: plain && s.HalfOpen}
}

// New returns an engine with no checks; call Update to add some and Run to
// start checking.
func New(opts Options) *Engine {
	if opts.MaxInFlight <= 0 {
		opts.MaxInFlight = 1024
	}
	if opts.Coalesce <= 0 {
		opts.Coalesce = 100 * time.Millisecond
	}
	if opts.Jitter <= 0 {
		opts.Jitter = 0.1
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.clock == nil {
		opts.clock = systemClock{}
	}
	if opts.random == nil {
		opts.random = rand.NewPCG(rand.Uint64(), rand.Uint64())
	}
	return &Engine{
		opts:    opts,
		clock:   opts.clock,
		env:     &env{pingers: &pingers{}},
		events:  make(chan []Event),
		wake:    make(chan struct{}, 1),
		jobs:    make(chan job, opts.MaxInFlight),
		chunks:  make(chan []job),
		spare:   make(chan []job, 4),
		entries: newEntryIndex(),
		specs:   make(map[SpecID]*compiled),
		batches: coalescer{window: opts.Coalesce},
		rng:     rand.New(opts.random),
	}
}

// Events delivers state changes in order, in batches. It is closed when Run
// returns. A slow reader delays nothing: undelivered batches merge.
func (e *Engine) Events() <-chan []Event { return e.events }

// signal wakes the Run loop without blocking.
func (e *Engine) signal() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}
