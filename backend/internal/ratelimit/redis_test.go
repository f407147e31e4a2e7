package ratelimit

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/wegweiser/wegweiser/backend/internal/testenv/redistest"
)

// clock is a settable time for the back-off.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// newRedis returns a limiter on a connection of its own that dials with
// dial.
func newRedis(dial func() (rueidis.Client, error), prefix string, limit int, period time.Duration, log *slog.Logger) *Redis {
	return newRedisConn(dial, log).Limiter(prefix, limit, period)
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// waitConnected polls until the background connect has a client.
func waitConnected(t *testing.T, r *Redis) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r.conn.mu.Lock()
		ok := r.conn.client != nil && !r.conn.dialing
		r.conn.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("limiter never connected to Redis")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRedisStartsDownAndComesBack: a limiter made while Redis is down counts
// in the process without sending anything to Redis, and after Redis starts
// (and the back-off has passed) it counts in Redis again; while Redis is
// down again, one failed call backs off and later calls skip Redis.
func TestRedisStartsDownAndComesBack(t *testing.T) {
	srv := redistest.New(t)
	clk := &clock{t: time.Now()}
	opt := rueidis.ClientOption{InitAddress: []string{srv.Addr}, DisableCache: true}
	r := newRedis(func() (rueidis.Client, error) { return rueidis.NewClient(opt) }, "wwtest:", 3, time.Minute,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	r.conn.now = clk.now
	t.Cleanup(r.Close)
	ctx := context.Background()

	// Down from the start: the first call starts a connect in the background
	// and counts here; so do all others until the back-off has passed.
	exercise(t, r, "down")
	testenvWait(t, "failed connect noticed", func() bool {
		r.conn.mu.Lock()
		defer r.conn.mu.Unlock()
		return !r.conn.dialing && r.conn.down
	})
	before := r.Stats()
	for i := 0; i < 20; i++ {
		r.Add(ctx, "burst")
	}
	after := r.Stats()
	if after.Calls != 0 || before.Calls != 0 {
		t.Fatalf("%d calls sent to a Redis that is down", after.Calls)
	}
	if after.Fallbacks-before.Fallbacks != 20 {
		t.Fatalf("%d of 20 events counted in the process", after.Fallbacks-before.Fallbacks)
	}
	if b, _ := r.Blocked(ctx, "burst"); !b {
		t.Fatal("in-process count does not throttle")
	}

	// Redis comes up; after the back-off the limiter connects and uses it.
	srv.Start(t)
	clk.add(RedisRetryAfter + time.Second)
	r.Add(ctx, "trigger") // starts the connect, counted here
	waitConnected(t, r)
	exercise(t, r, "up")
	if r.Stats().Calls == 0 {
		t.Fatal("no call reached Redis after it came up")
	}
	check := redisClient(t, srv.Addr)
	r.Add(ctx, "shared")
	if n, err := check.Do(ctx, check.B().Get().Key("wwtest:shared").Build()).AsInt64(); err != nil || n != 1 {
		t.Fatalf("count in Redis: %d, %v; want 1", n, err)
	}

	// Redis goes away: one call finds out, the following ones skip it.
	srv.Stop(t)
	calls := r.Stats().Calls
	exercise(t, r, "gone")
	for i := 0; i < 20; i++ {
		r.Add(ctx, "burst2")
	}
	if n := r.Stats().Calls - calls; n != 1 {
		t.Fatalf("%d calls sent to Redis after it went away, want 1 (then the back-off)", n)
	}
	// After the back-off it is tried again (and found down again).
	clk.add(RedisRetryAfter + time.Second)
	r.Add(ctx, "again")
	if n := r.Stats().Calls - calls; n != 2 {
		t.Fatalf("Redis not tried again after the back-off (%d calls)", n)
	}
}

func testenvWait(t *testing.T, msg string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
