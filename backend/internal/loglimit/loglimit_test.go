package loglimit_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wegweiser/wegweiser/backend/internal/loglimit"
)

// fakeClock is a manual clock: AfterFunc callbacks run when Advance passes
// their time.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []timer
}

type timer struct {
	at time.Time
	f  func()
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timers = append(c.timers, timer{c.now.Add(d), f})
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []func()
	kept := c.timers[:0]
	for _, t := range c.timers {
		if !t.at.After(c.now) {
			due = append(due, t.f)
		} else {
			kept = append(kept, t)
		}
	}
	c.timers = kept
	c.mu.Unlock()
	for _, f := range due {
		f()
	}
}

func lines(buf *bytes.Buffer) []string {
	s := strings.TrimSpace(buf.String())
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// TestThousandFailuresInOneSecond: 1,000 identical failures within one
// second write Burst lines, and when the interval ends one summary line
// reports the other 995; a different key has its own budget; the next
// interval starts afresh.
func TestThousandFailuresInOneSecond(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := loglimit.New(loglimit.Options{Burst: 5, Interval: time.Minute, Clock: clock})
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	ctx := context.Background()
	key := "/wegweiser.v1.DeviceService/ListDevices|unavailable|*net.OpError"
	for i := range 1000 {
		l.Log(ctx, log, slog.LevelWarn, key, "database unavailable", "procedure", "ListDevices", "n", i)
		clock.Advance(time.Millisecond)
	}
	if got := lines(&buf); len(got) != 5 {
		t.Fatalf("%d lines during the burst, want 5:\n%s", len(got), buf.String())
	}
	// Another procedure is another key.
	l.Log(ctx, log, slog.LevelWarn, "other", "database unavailable", "procedure", "GetDevice")
	if got := lines(&buf); len(got) != 6 {
		t.Fatalf("another key was suppressed: %d lines", len(got))
	}
	// The interval ends: the timer writes the summary without further calls.
	clock.Advance(time.Minute)
	got := lines(&buf)
	if len(got) != 7 {
		t.Fatalf("%d lines after the interval, want 7 (5 + other + summary):\n%s", len(got), buf.String())
	}
	summary := got[6]
	if !strings.Contains(summary, "suppressed 995 similar messages: database unavailable") ||
		!strings.Contains(summary, "suppressed=995") || !strings.Contains(summary, "n=999") {
		t.Fatalf("summary line: %s", summary)
	}
	// Flushing again writes nothing; a new interval lets lines through.
	l.Flush()
	l.Log(ctx, log, slog.LevelWarn, key, "database unavailable", "procedure", "ListDevices")
	if got := lines(&buf); len(got) != 8 {
		t.Fatalf("new interval: %d lines, want 8:\n%s", len(got), buf.String())
	}
}

// TestManyKeysShareAnOverflowBudget: beyond MaxKeys distinct keys, lines
// share one budget, so unbounded keys cannot defeat the limit.
func TestManyKeysShareAnOverflowBudget(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := loglimit.New(loglimit.Options{Burst: 2, Interval: time.Minute, MaxKeys: 10, Clock: clock})
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	for i := range 1000 {
		l.Log(context.Background(), log, slog.LevelError, strings.Repeat("k", i+1), "internal error")
	}
	// One line for each of the 10 tracked keys, 2 for the shared budget.
	if got := lines(&buf); len(got) != 12 {
		t.Fatalf("%d lines, want 12", len(got))
	}
	clock.Advance(time.Minute)
	if got := lines(&buf); len(got) != 13 || !strings.Contains(got[len(got)-1], "suppressed 988 similar") {
		t.Fatalf("overflow summary missing: %v", got[len(got)-1])
	}
}
