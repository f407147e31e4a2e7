// Package loglimit keeps a failing dependency from flooding the log: of the
// lines that share a key (for API errors: procedure, code and error class)
// the first Burst in each Interval are written, the rest are counted, and
// one summary line per key and interval reports how many were suppressed.
package loglimit

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Defaults: the first 5 identical lines per minute pass, then one summary
// line per minute; at most 1,000 keys are tracked at once.
const (
	DefaultBurst    = 5
	DefaultInterval = time.Minute
	DefaultMaxKeys  = 1000
)

// Clock is the time source; tests inject a fake one.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f once, d from now, on its own goroutine.
	AfterFunc(d time.Duration, f func())
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) { time.AfterFunc(d, f) }

// Options configure a Limiter; zero fields take the defaults.
type Options struct {
	Burst    int
	Interval time.Duration
	MaxKeys  int
	Clock    Clock
}

// Limiter rate-limits log lines per key. It is safe for concurrent use.
type Limiter struct {
	burst    int
	interval time.Duration
	maxKeys  int
	clock    Clock

	mu   sync.Mutex
	keys map[string]*window
	// next is when the earliest window ends (zero: no windows).
	next time.Time
}

// window is the state of one key in its current interval.
type window struct {
	start      time.Time
	written    int
	suppressed int
	scheduled  bool
	// the last suppressed line, repeated in the summary
	log   *slog.Logger
	ctx   context.Context
	level slog.Level
	msg   string
	args  []any
}

// New returns a Limiter.
func New(o Options) *Limiter {
	if o.Burst <= 0 {
		o.Burst = DefaultBurst
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.MaxKeys <= 0 {
		o.MaxKeys = DefaultMaxKeys
	}
	if o.Clock == nil {
		o.Clock = realClock{}
	}
	return &Limiter{burst: o.Burst, interval: o.Interval, maxKeys: o.MaxKeys, clock: o.Clock, keys: map[string]*window{}}
}

// Log writes msg with args at level to log unless Burst lines with the same
// key were already written in the key's current interval; a suppressed line
// is counted and reported in a summary line ("suppressed K similar
// messages: msg", with the last suppressed line's attributes and
// suppressed=K) when the interval ends.
func (l *Limiter) Log(ctx context.Context, log *slog.Logger, level slog.Level, key, msg string, args ...any) {
	if !log.Enabled(ctx, level) {
		return
	}
	now := l.clock.Now()
	l.mu.Lock()
	due := l.expireLocked(now)
	w := l.keys[key]
	if w == nil && len(l.keys) >= l.maxKeys {
		// Too many distinct keys: fall back to one shared budget.
		key = "\x00overflow"
		w = l.keys[key]
	}
	if w == nil {
		w = &window{start: now}
		l.keys[key] = w
		if end := now.Add(l.interval); l.next.IsZero() || end.Before(l.next) {
			l.next = end
		}
	}
	write := w.written < l.burst
	if write {
		w.written++
	} else {
		w.suppressed++
		w.log, w.ctx, w.level, w.msg, w.args = log, context.WithoutCancel(ctx), level, msg, args
		if !w.scheduled {
			w.scheduled = true
			l.clock.AfterFunc(w.start.Add(l.interval).Sub(now), l.Flush)
		}
	}
	l.mu.Unlock()
	emit(due)
	if write {
		log.Log(ctx, level, msg, args...)
	}
}

// Flush writes the summary lines of intervals that have ended and forgets
// their keys. Log calls it as needed; it runs by itself at the end of each
// interval in which lines were suppressed.
func (l *Limiter) Flush() {
	l.mu.Lock()
	due := l.expireLocked(l.clock.Now())
	l.mu.Unlock()
	emit(due)
}

// expireLocked removes the windows that ended by now and returns those
// that owe a summary.
func (l *Limiter) expireLocked(now time.Time) []*window {
	if l.next.IsZero() || now.Before(l.next) {
		return nil
	}
	var due []*window
	l.next = time.Time{}
	for k, w := range l.keys {
		end := w.start.Add(l.interval)
		if now.Before(end) {
			if l.next.IsZero() || end.Before(l.next) {
				l.next = end
			}
			continue
		}
		delete(l.keys, k)
		if w.suppressed > 0 {
			due = append(due, w)
		}
	}
	return due
}

func emit(due []*window) {
	for _, w := range due {
		args := append(append([]any{}, w.args...), "suppressed", w.suppressed)
		w.log.Log(w.ctx, w.level, fmt.Sprintf("suppressed %d similar messages: %s", w.suppressed, w.msg), args...)
	}
}
