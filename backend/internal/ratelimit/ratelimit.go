// Package ratelimit counts events per key in a sliding window. It backs the
// sign-in throttles (per source address and per account): callers hash what
// identifies a client or an account with Key, so a key is always the same
// small size whatever the client sent, and the in-memory window keeps at
// most MaxKeys keys with at most Limit timestamps each.
package ratelimit

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"time"
)

// MaxKeys bounds the keys an in-memory Window keeps. Past it, expired keys
// are swept and, if that is not enough, arbitrary keys are forgotten: memory
// stays bounded under a flood of distinct keys, at the price of forgetting
// some counts (each caller limits per address first, so a flood needs many
// addresses).
const MaxKeys = 100_000

// Key returns a fixed-size key (32 hex characters of SHA-256) for parts,
// e.g. Key("login-account", email). Keys never hold what the client sent.
func Key(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:16])
}

// Window allows at most Limit events per key within Period.
type Window struct {
	Limit  int
	Period time.Duration
	// MaxKeys bounds the number of keys kept (0: the package's MaxKeys).
	MaxKeys int

	mu     sync.Mutex
	events map[string][]time.Time
	now    func() time.Time
}

// NewWindow returns an in-memory sliding window limiter.
func NewWindow(limit int, period time.Duration) *Window {
	return &Window{Limit: limit, Period: period, events: map[string][]time.Time{}, now: time.Now}
}

// Len returns the number of keys the window holds.
func (w *Window) Len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.events)
}

// Count returns how many events key has within the window.
func (w *Window) Count(key string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.prune(key))
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
	ev := append(w.prune(key), w.now())
	if len(ev) > w.Limit && w.Limit > 0 {
		// Only the newest Limit events decide; older ones are dropped so a
		// key never holds more than Limit timestamps.
		ev = append([]time.Time(nil), ev[len(ev)-w.Limit:]...)
	}
	w.events[key] = ev
	limit := w.MaxKeys
	if limit <= 0 {
		limit = MaxKeys
	}
	if len(w.events) > limit {
		w.sweep()
		for k := range w.events {
			if len(w.events) <= limit {
				break
			}
			if k != key {
				delete(w.events, k)
			}
		}
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
