// Package collector gathers a device Snapshot. Each concern (os, hardware,
// storage, …) is a small registered Collector with a name, a timeout and a
// per-OS implementation chosen by build tag; a failing collector records a
// CollectorError and the others go on.
//
// Every parser takes a command's output (or a file's content) as input and
// is tested on fixtures of real output for Linux, macOS and Windows in
// testdata/, so all three are tested wherever the tests run.
package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/wegweiser/wegweiser/agent/internal/version"
	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// ErrNotApplicable tells the runner that a collector has nothing to report
// on this machine (an optional tool is absent, the concern does not exist
// on this OS). It is not recorded as an error.
var ErrNotApplicable = errors.New("not applicable on this machine")

// Collector is one registered unit.
type Collector struct {
	// Name is what AgentConfig.collectors selects, e.g. "software".
	Name string
	// Timeout bounds one run.
	Timeout time.Duration
	// CacheFor lets a Runner reuse the last good result this long (for
	// expensive, slow-changing data such as pending OS updates).
	CacheFor time.Duration
	// Alone runs the collector before all others, by itself, so that what
	// it measures (CPU load) is not the agent's own work.
	Alone bool
	// Collect fills its own sections of out and nothing else.
	Collect func(ctx context.Context, env *Env, out *agentv1.Snapshot) error
}

var (
	registryMu sync.Mutex
	registry   = map[string]Collector{}
	order      = []string{
		"os", "hardware", "storage", "network", "performance", "software", "services",
		"reboot", "patches", "security", "eventlogs", "crashes", "lynis", "osquery",
	}
)

// register adds a collector; called from init functions.
func register(c Collector) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[c.Name]; dup {
		panic("collector registered twice: " + c.Name)
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	registry[c.Name] = c
}

// Names lists the registered collectors in their canonical order.
func Names() []string {
	registryMu.Lock()
	defer registryMu.Unlock()
	var out []string
	for _, n := range order {
		if _, ok := registry[n]; ok {
			out = append(out, n)
		}
	}
	var extra []string
	for n := range registry {
		if !slices.Contains(order, n) {
			extra = append(extra, n)
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

// Lookup returns a registered collector.
func Lookup(name string) (Collector, bool) {
	registryMu.Lock()
	defer registryMu.Unlock()
	c, ok := registry[name]
	return c, ok
}

// Runner runs collectors and remembers results that may be reused.
type Runner struct {
	// Concurrency is how many collectors run at once; 0 means 3.
	Concurrency int
	// Log receives warnings; nil discards.
	Log *slog.Logger

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	at   time.Time
	part *agentv1.Snapshot
}

// Collect runs the named collectors (all when names is empty; unknown
// names are recorded as errors) and returns a new Snapshot with a fresh
// snapshot id.
func (r *Runner) Collect(ctx context.Context, env *Env, names []string) *agentv1.Snapshot {
	start := time.Now()
	snap := &agentv1.Snapshot{
		SnapshotId:    NewID(),
		CollectedTime: timestamppb.New(start),
		AgentVersion:  version.Version,
	}
	if env == nil {
		env = &Env{}
	}
	if len(names) == 0 {
		names = Names()
	}
	env.enabled = names
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs []*agentv1.CollectorError
	)
	limit := r.Concurrency
	if limit <= 0 {
		limit = 3
	}
	sem := make(chan struct{}, limit)
	parts := make([]*agentv1.Snapshot, len(names))
	run := func(i int, c Collector) {
		part, err := runOne(ctx, env, c)
		parts[i] = part
		if err != nil {
			mu.Lock()
			errs = append(errs, &agentv1.CollectorError{Collector: c.Name, Message: truncate(err.Error(), 1000)})
			mu.Unlock()
			return
		}
		r.store(c, start, part)
	}
	var rest []int
	for i, name := range names {
		c, ok := Lookup(name)
		switch {
		case !ok:
			errs = append(errs, &agentv1.CollectorError{Collector: name, Message: "unknown collector"})
		case r.fromCache(c, start) != nil:
			parts[i] = r.fromCache(c, start)
		case c.Alone:
			run(i, c)
		default:
			rest = append(rest, i)
		}
	}
	for _, i := range rest {
		c, _ := Lookup(names[i])
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			run(i, c)
		}()
	}
	wg.Wait()
	for _, p := range parts {
		if p != nil {
			proto.Merge(snap, p)
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Collector < errs[j].Collector })
	snap.Errors = errs
	return snap
}

// runOne runs a collector on its own scratch snapshot with its timeout,
// turning panics into errors.
func runOne(ctx context.Context, env *Env, c Collector) (part *agentv1.Snapshot, err error) {
	part = &agentv1.Snapshot{}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			env.log().Error("collector panicked", "collector", c.Name, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	err = c.Collect(ctx, env, part)
	if errors.Is(err, ErrNotApplicable) {
		return part, nil
	}
	if err != nil && ctx.Err() == context.DeadlineExceeded {
		err = fmt.Errorf("timed out after %s: %w", c.Timeout, err)
	}
	return part, err
}

func (r *Runner) fromCache(c Collector, now time.Time) *agentv1.Snapshot {
	if c.CacheFor <= 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.cache[c.Name]; ok && now.Sub(e.at) < c.CacheFor {
		return proto.Clone(e.part).(*agentv1.Snapshot)
	}
	return nil
}

func (r *Runner) store(c Collector, at time.Time, part *agentv1.Snapshot) {
	if c.CacheFor <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cache == nil {
		r.cache = map[string]cached{}
	}
	r.cache[c.Name] = cached{at: at, part: proto.Clone(part).(*agentv1.Snapshot)}
}
