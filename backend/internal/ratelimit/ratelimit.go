// Package ratelimit counts events per key in a sliding window. It backs the
// login throttle: failures past the limit are refused until the window has
// moved on, so an attacker cannot lock the real user out for good.
package ratelimit

import (
	"sync"
	"time"
)

// Window allows at most Limit events per key within Period.
type Window struct {
	Limit  int
	Period time.Duration

	mu     sync.Mutex
	events map[string][]time.Time
	now    func() time.Time
}

// NewWindow returns an in-memory sliding window limiter.
func NewWindow(limit int, period time.Duration) *Window {
	return &Window{Limit: limit, Period: period, events: map[string][]time.Time{}, now: time.Now}
}

// Blocked reports whether key has reached the limit, and when it frees up.
func (w *Window) Blocked(key string) (bool, time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ev := w.prune(key)
	if len(ev) < w.Limit {
		return false, 0
	}
	return true, ev[0].Add(w.Period).Sub(w.now())
}

// Add records one event for key.
func (w *Window) Add(key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.events[key] = append(w.prune(key), w.now())
	if len(w.events) > 100_000 {
		w.sweep()
	}
}

// Reset forgets key (e.g. after a successful login).
func (w *Window) Reset(key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.events, key)
}

func (w *Window) prune(key string) []time.Time {
	ev := w.events[key]
	cutoff := w.now().Add(-w.Period)
	i := 0
	for i < len(ev) && !ev[i].After(cutoff) {
		i++
	}
	ev = ev[i:]
	if len(ev) == 0 {
		delete(w.events, key)
	} else {
		w.events[key] = ev
	}
	return ev
}

func (w *Window) sweep() {
	for k := range w.events {
		w.prune(k)
	}
}
