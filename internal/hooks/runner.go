package hooks

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Hook is one program to run on events.
type Hook struct {
	// Name labels the hook's logs and metrics; unique within a Runner.
	Name string
	// On are the event kinds (Event.Kind) the hook runs on.
	On []string
	// Run is the argv; Run[0] is an absolute path. No shell is involved.
	Run []string
	// Services, when set, limit the events that name a service (Event.Service)
	// to these services; events without a service are not filtered.
	Services []string
	// Instances, when set, limit the events without a service (the VRRP
	// events) to these VRRP instances (Event.Instance).
	Instances []string
	// Timeout bounds one run (0: DefaultTimeout).
	Timeout time.Duration
}

// Defaults of Options and Hook.
const (
	DefaultQueueLen    = 64
	DefaultGrace       = 2 * time.Second
	DefaultOutputLimit = 4096
	DefaultTimeout     = 10 * time.Second
)

// Options configure a Runner; zero fields take the defaults.
type Options struct {
	// Log receives a record per run and per overflowing queue.
	Log *slog.Logger
	// QueueLen is how many events wait per hook before the oldest is dropped.
	QueueLen int
	// Grace is the time between SIGTERM and SIGKILL after a timeout.
	Grace time.Duration
	// OutputLimit is how many bytes of a run's output are logged.
	OutputLimit int
}

// Stats count one hook's runs since the Runner started. A hook removed
// from the configuration keeps its counts.
type Stats struct {
	OK, Failed, Timeout uint64
	// Dropped counts events that never ran: pushed out of a full queue,
	// queued when the hook was removed, or not a "stop" at Close.
	Dropped uint64
	// Running is true while a run of the hook is under way.
	Running bool
}

// Runner runs hooks on events; see the package documentation.
type Runner struct {
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	seq     uint64
	workers map[string]*worker // the hooks in force
	leaving map[string]*worker // removed hooks whose last run is under way
	stats   map[string]*Stats
	closed  bool
	wg      sync.WaitGroup
}

// worker is one hook's queue and the goroutine that drains it.
type worker struct {
	hook        Hook
	q           queue
	wake        chan struct{}
	quit        bool          // set under Runner.mu: exit once the queue is empty
	prev        *worker       // a removed worker of the same name, waited for
	done        chan struct{} // closed when the goroutine exits
	overflowing bool          // a drop was logged since the queue was last empty
}

// New returns a Runner without hooks.
func New(o Options) *Runner {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.QueueLen <= 0 {
		o.QueueLen = DefaultQueueLen
	}
	if o.Grace <= 0 {
		o.Grace = DefaultGrace
	}
	if o.OutputLimit <= 0 {
		o.OutputLimit = DefaultOutputLimit
	}
	return &Runner{opts: o, log: o.Log, workers: map[string]*worker{}, leaving: map[string]*worker{}, stats: map[string]*Stats{}}
}

// Update makes hooks the hooks in force. A hook whose name is kept keeps
// its queue and takes the new settings from its next run on; a removed
// hook's queued events are dropped and its run under way finishes. After
// Close, Update does nothing.
func (r *Runner) Update(hooks []Hook) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	keep := map[string]bool{}
	for _, h := range hooks {
		keep[h.Name] = true
		if h.Timeout <= 0 {
			h.Timeout = DefaultTimeout
		}
		if w, ok := r.workers[h.Name]; ok {
			if !w.hook.equal(h) {
				r.log.Info("hook changed", "hook", h.Name, "on", h.On, "run", h.Run, "timeout", h.Timeout)
			}
			w.hook = h
			continue
		}
		r.log.Info("hook added", "hook", h.Name, "on", h.On, "run", h.Run, "timeout", h.Timeout)
		w := &worker{hook: h, q: queue{limit: r.opts.QueueLen}, wake: make(chan struct{}, 1), done: make(chan struct{})}
		w.prev = r.leaving[h.Name]
		r.workers[h.Name] = w
		if r.stats[h.Name] == nil {
			r.stats[h.Name] = &Stats{}
		}
		r.wg.Add(1)
		go r.work(w)
	}
	for name, w := range r.workers {
		if keep[name] {
			continue
		}
		if n := w.q.keepOnly(func(string) bool { return false }); n > 0 {
			r.stats[name].Dropped += uint64(n)
			r.log.Warn("hook removed: its queued events are dropped", "hook", name, "dropped", n)
		}
		r.log.Info("hook removed", "hook", name)
		w.quit = true
		r.leaving[name] = w
		delete(r.workers, name)
		w.poke()
	}
}

// Notify queues ev for every hook that wants its kind and returns its
// sequence number (SEESAW_SEQ); it never waits for a run. After Close it
// drops ev and returns 0.
func (r *Runner) Notify(ev Event) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0
	}
	r.seq++
	for name, w := range r.workers {
		if !w.hook.wants(ev) {
			continue
		}
		if w.q.push(queued{ev: ev, seq: r.seq}) {
			r.stats[name].Dropped++
			if !w.overflowing {
				w.overflowing = true
				r.log.Warn("hook queue full: dropping its oldest events", "hook", name, "queue", r.opts.QueueLen, "event", ev.Kind)
			}
		}
		w.poke()
	}
	return r.seq
}

// Close stops taking events, drops every queued event but the "stop"
// events, and waits until the runs under way and the queued "stop" runs
// have ended (each is bounded by its hook's timeout) or ctx is done.
func (r *Runner) Close(ctx context.Context) error {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		for name, w := range r.workers {
			if n := w.q.keepOnly(func(kind string) bool { return kind == "stop" }); n > 0 {
				r.stats[name].Dropped += uint64(n)
			}
			w.quit = true
			w.poke()
		}
	}
	r.mu.Unlock()
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stats returns each hook's counts, by name.
func (r *Runner) Stats() map[string]Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]Stats, len(r.stats))
	for name, s := range r.stats {
		out[name] = *s
	}
	return out
}

// equal reports whether two hooks have the same settings.
func (h Hook) equal(o Hook) bool {
	return h.Name == o.Name && slices.Equal(h.On, o.On) && slices.Equal(h.Run, o.Run) &&
		slices.Equal(h.Services, o.Services) && slices.Equal(h.Instances, o.Instances) && h.Timeout == o.Timeout
}

// wants reports whether the hook runs on ev.
func (h Hook) wants(ev Event) bool {
	if !slices.Contains(h.On, ev.Kind) {
		return false
	}
	if ev.Service != "" {
		return len(h.Services) == 0 || slices.Contains(h.Services, ev.Service)
	}
	return len(h.Instances) == 0 || slices.Contains(h.Instances, ev.Instance)
}

// poke wakes the worker; it never blocks.
func (w *worker) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// work runs w's queued events one at a time until w is told to quit and
// its queue is empty.
func (r *Runner) work(w *worker) {
	defer r.wg.Done()
	defer close(w.done)
	if w.prev != nil {
		<-w.prev.done
	}
	for {
		r.mu.Lock()
		x, ok := w.q.pop()
		if !ok {
			w.overflowing = false
			quit := w.quit
			if quit && r.leaving[w.hook.Name] == w {
				delete(r.leaving, w.hook.Name)
			}
			r.mu.Unlock()
			if quit {
				return
			}
			<-w.wake
			continue
		}
		h := w.hook
		st := r.stats[h.Name]
		st.Running = true
		r.mu.Unlock()
		res := r.execute(h, x)
		r.mu.Lock()
		st.Running = false
		switch res {
		case resultOK:
			st.OK++
		case resultTimeout:
			st.Timeout++
		default:
			st.Failed++
		}
		r.mu.Unlock()
	}
}
