package ratelimit

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"
)

// Limiter counts events per key within a period.
type Limiter interface {
	// Blocked reports whether key reached the limit and when it frees up.
	Blocked(ctx context.Context, key string) (bool, time.Duration)
	// Add records one event for key.
	Add(ctx context.Context, key string)
	// Reset forgets key.
	Reset(ctx context.Context, key string)
}

// Memory adapts the in-memory Window to Limiter.
type Memory struct{ *Window }

// Blocked implements Limiter.
func (m Memory) Blocked(_ context.Context, key string) (bool, time.Duration) {
	return m.Window.Blocked(key)
}

// Add implements Limiter.
func (m Memory) Add(_ context.Context, key string) { m.Window.Add(key) }

// Reset implements Limiter.
func (m Memory) Reset(_ context.Context, key string) { m.Window.Reset(key) }

// RedisRetryAfter is how long the limiter leaves Redis alone after a
// connection error (or a failed connect): meanwhile every call goes
// straight to the in-process fallback without touching the network.
const RedisRetryAfter = 5 * time.Second

// RedisTimeout bounds one round trip to Redis.
const RedisTimeout = 500 * time.Millisecond

// Redis counts in Redis (fixed windows: INCR plus an expiry set with the
// first event), so every replica sees the same counts.
//
// Fail mode: Redis is optional at start and may go away later. The client
// is created in the background (DialRedis), so a process starts while
// Redis is down. A connection error marks Redis down for RedisRetryAfter;
// meanwhile the limiter counts in a per-process window with the same limit
// (requests are neither refused because Redis is down nor left
// unthrottled, and none waits on Redis). After the back-off the next call
// tries Redis again (connecting anew if there was never a client), so the
// shared counts are used again once Redis is back. A key blocked in the
// process stays blocked until its window moves on, even after Redis is
// back.
type Redis struct {
	dial       func() (rueidis.Client, error)
	prefix     string
	limit      int64
	period     time.Duration
	fallback   *Window
	log        *slog.Logger
	now        func() time.Time
	retryAfter time.Duration

	mu        sync.Mutex
	client    rueidis.Client
	dialing   bool
	closed    bool
	downUntil time.Time
	down      bool

	calls     atomic.Int64
	fallbacks atomic.Int64
}

// NewRedis returns a Redis-backed limiter over an existing client; prefix
// namespaces its keys.
func NewRedis(client rueidis.Client, prefix string, limit int, period time.Duration, log *slog.Logger) *Redis {
	r := newRedis(nil, prefix, limit, period, log)
	r.client = client
	return r
}

// DialRedis returns a Redis-backed limiter that connects with opt in the
// background, now and again after each failed attempt; until it is
// connected it counts in the process. Close releases the client.
func DialRedis(opt rueidis.ClientOption, prefix string, limit int, period time.Duration, log *slog.Logger) *Redis {
	r := newRedis(func() (rueidis.Client, error) { return rueidis.NewClient(opt) }, prefix, limit, period, log)
	r.mu.Lock()
	r.startDialLocked()
	r.mu.Unlock()
	return r
}

func newRedis(dial func() (rueidis.Client, error), prefix string, limit int, period time.Duration, log *slog.Logger) *Redis {
	return &Redis{dial: dial, prefix: prefix, limit: int64(limit), period: period, fallback: NewWindow(limit, period),
		log: log, now: time.Now, retryAfter: RedisRetryAfter}
}

// RedisStats counts what the limiter did.
type RedisStats struct {
	// Calls is how many round trips were sent to Redis.
	Calls int64
	// Fallbacks is how many operations were counted in the process instead.
	Fallbacks int64
}

// Stats returns the limiter's counters.
func (r *Redis) Stats() RedisStats {
	return RedisStats{Calls: r.calls.Load(), Fallbacks: r.fallbacks.Load()}
}

// Close releases the Redis client; later calls count in the process.
func (r *Redis) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.client != nil && r.dial != nil {
		r.client.Close()
	}
	r.client = nil
}

func (r *Redis) key(k string) string { return r.prefix + k }

// conn returns the client to use now, or nil to use the fallback (Redis
// down within its back-off, or not connected yet).
func (r *Redis) conn() rueidis.Client {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.now().Before(r.downUntil) {
		return nil
	}
	if r.client == nil {
		r.startDialLocked()
		return nil
	}
	r.calls.Add(1)
	return r.client
}

// startDialLocked connects in the background unless a connect is running
// or there is nothing to dial with.
func (r *Redis) startDialLocked() {
	if r.dial == nil || r.dialing || r.closed {
		return
	}
	r.dialing = true
	go func() {
		c, err := r.dial()
		r.mu.Lock()
		defer r.mu.Unlock()
		r.dialing = false
		switch {
		case err != nil:
			r.markDownLocked(err)
		case r.closed:
			c.Close()
		default:
			r.client = c
			r.markUpLocked()
		}
	}()
}

// failed records an error of a Redis call. Errors Redis itself answered
// with leave the connection up; anything else (refused, timeout, closed)
// marks Redis down for the back-off.
func (r *Redis) failed(err error) {
	r.fallbacks.Add(1)
	var reply *rueidis.RedisError
	if errors.As(err, &reply) {
		r.log.Warn("rate limiter: Redis refused a command, counting in this process", "err", err)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.markDownLocked(err)
}

func (r *Redis) markDownLocked(err error) {
	r.downUntil = r.now().Add(r.retryAfter)
	if !r.down {
		r.log.Warn("rate limiter: Redis unavailable, counting in this process", "err", err, "retry_after", r.retryAfter)
	}
	r.down = true
}

func (r *Redis) markUpLocked() {
	if r.down {
		r.log.Info("rate limiter: Redis is back, counting there again")
	}
	r.down = false
}

// ok records a successful Redis call.
func (r *Redis) ok() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.markUpLocked()
}

// Blocked implements Limiter.
func (r *Redis) Blocked(ctx context.Context, key string) (bool, time.Duration) {
	if blocked, wait := r.fallback.Blocked(key); blocked {
		return true, wait // counted here while Redis was down
	}
	c := r.conn()
	if c == nil {
		r.fallbacks.Add(1)
		return false, 0
	}
	ctx, cancel := context.WithTimeout(ctx, RedisTimeout)
	defer cancel()
	res := c.DoMulti(ctx,
		c.B().Get().Key(r.key(key)).Build(),
		c.B().Pttl().Key(r.key(key)).Build(),
	)
	n, err := res[0].AsInt64()
	if rueidis.IsRedisNil(err) {
		n, err = 0, nil // no event in Redis yet
	}
	if err != nil {
		r.failed(err)
		return false, 0 // the fallback was asked above
	}
	r.ok()
	// Events counted in this process while Redis was unreachable (or before
	// it was connected) still count: the two together make the limit.
	if n+int64(r.fallback.Count(key)) < r.limit {
		return false, 0
	}
	ttl, err := res[1].AsInt64()
	if err != nil || ttl < 0 {
		ttl = r.period.Milliseconds()
	}
	return true, time.Duration(ttl) * time.Millisecond
}

// Add implements Limiter.
func (r *Redis) Add(ctx context.Context, key string) {
	c := r.conn()
	if c == nil {
		r.fallbacks.Add(1)
		r.fallback.Add(key)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, RedisTimeout)
	defer cancel()
	res := c.DoMulti(ctx,
		c.B().Incr().Key(r.key(key)).Build(),
		c.B().Pexpire().Key(r.key(key)).Milliseconds(r.period.Milliseconds()).Nx().Build(),
	)
	if _, err := res[0].AsInt64(); err != nil {
		r.failed(err)
		r.fallback.Add(key)
		return
	}
	r.ok()
}

// Reset implements Limiter.
func (r *Redis) Reset(ctx context.Context, key string) {
	r.fallback.Reset(key)
	c := r.conn()
	if c == nil {
		r.fallbacks.Add(1)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, RedisTimeout)
	defer cancel()
	if err := c.Do(ctx, c.B().Del().Key(r.key(key)).Build()).Error(); err != nil {
		r.failed(err)
		return
	}
	r.ok()
}
