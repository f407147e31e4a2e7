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

// RedisConn is one connection to Redis, shared by every limiter of a
// process, with its up/down state.
//
// Fail mode: Redis is optional at start and may go away later. The client
// is created in the background (DialRedisConn), so a process starts while
// Redis is down. A connection error marks Redis down for RedisRetryAfter;
// meanwhile the limiters count in per-process windows with the same limits
// (requests are neither refused because Redis is down nor left
// unthrottled, and none waits on Redis). After the back-off the next call
// tries Redis again (connecting anew if there was never a client), so the
// shared counts are used again once Redis is back.
type RedisConn struct {
	dial       func() (rueidis.Client, error)
	log        *slog.Logger
	now        func() time.Time
	retryAfter time.Duration

	mu        sync.Mutex
	client    rueidis.Client
	dialing   bool
	closed    bool
	downUntil time.Time
	down      bool
}

// DialRedisConn returns a connection that connects with opt in the
// background, now and again after each failed attempt. Close releases it.
func DialRedisConn(opt rueidis.ClientOption, log *slog.Logger) *RedisConn {
	c := newRedisConn(func() (rueidis.Client, error) { return rueidis.NewClient(opt) }, log)
	c.mu.Lock()
	c.startDialLocked()
	c.mu.Unlock()
	return c
}

func newRedisConn(dial func() (rueidis.Client, error), log *slog.Logger) *RedisConn {
	return &RedisConn{dial: dial, log: log, now: time.Now, retryAfter: RedisRetryAfter}
}

// Limiter returns a limiter counting in this connection under prefix.
func (c *RedisConn) Limiter(prefix string, limit int, period time.Duration) *Redis {
	return &Redis{conn: c, prefix: prefix, limit: int64(limit), period: period, fallback: NewWindow(limit, period), log: c.log}
}

// Close releases the client; later calls count in the process.
func (c *RedisConn) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.client != nil && c.dial != nil {
		c.client.Close()
	}
	c.client = nil
}

// Redis counts in Redis (fixed windows: INCR plus an expiry set with the
// first event), so every replica sees the same counts. While its
// connection is down it counts in the process (see RedisConn); a key
// blocked in the process stays blocked until its window moves on, even
// after Redis is back, and counts made in the process while Redis was away
// add to those in Redis.
type Redis struct {
	conn     *RedisConn
	prefix   string
	limit    int64
	period   time.Duration
	fallback *Window
	log      *slog.Logger

	calls     atomic.Int64
	fallbacks atomic.Int64
}

// NewRedis returns a Redis-backed limiter over an existing client; prefix
// namespaces its keys.
func NewRedis(client rueidis.Client, prefix string, limit int, period time.Duration, log *slog.Logger) *Redis {
	c := newRedisConn(nil, log)
	c.client = client
	return c.Limiter(prefix, limit, period)
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

// Close releases the limiter's connection (shared with every limiter of
// that connection); later calls count in the process.
func (r *Redis) Close() { r.conn.Close() }

func (r *Redis) key(k string) string { return r.prefix + k }

// use returns the client to use now, or nil to use the fallback (Redis
// down within its back-off, or not connected yet).
func (c *RedisConn) use() rueidis.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.now().Before(c.downUntil) {
		return nil
	}
	if c.client == nil {
		c.startDialLocked()
		return nil
	}
	return c.client
}

// startDialLocked connects in the background unless a connect is running
// or there is nothing to dial with.
func (c *RedisConn) startDialLocked() {
	if c.dial == nil || c.dialing || c.closed {
		return
	}
	c.dialing = true
	go func() {
		cl, err := c.dial()
		c.mu.Lock()
		defer c.mu.Unlock()
		c.dialing = false
		switch {
		case err != nil:
			c.markDownLocked(err)
		case c.closed:
			cl.Close()
		default:
			c.client = cl
			c.markUpLocked()
		}
	}()
}

// failed records an error of a Redis call. Errors Redis itself answered
// with leave the connection up; anything else (refused, timeout, closed)
// marks Redis down for the back-off.
func (c *RedisConn) failed(err error) {
	var reply *rueidis.RedisError
	if errors.As(err, &reply) {
		c.log.Warn("rate limiter: Redis refused a command, counting in this process", "err", err)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.markDownLocked(err)
}

func (c *RedisConn) markDownLocked(err error) {
	c.downUntil = c.now().Add(c.retryAfter)
	if !c.down {
		c.log.Warn("rate limiter: Redis unavailable, counting in this process", "err", err, "retry_after", c.retryAfter)
	}
	c.down = true
}

func (c *RedisConn) markUpLocked() {
	if c.down {
		c.log.Info("rate limiter: Redis is back, counting there again")
	}
	c.down = false
}

// ok records a successful Redis call.
func (c *RedisConn) ok() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.markUpLocked()
}

// client returns the client for one call of this limiter, counting it, or
// nil to use the fallback.
func (r *Redis) client() rueidis.Client {
	c := r.conn.use()
	if c != nil {
		r.calls.Add(1)
	}
	return c
}

// failed records an error of one call of this limiter.
func (r *Redis) failed(err error) {
	r.fallbacks.Add(1)
	r.conn.failed(err)
}

// ok records a successful call of this limiter.
func (r *Redis) ok() { r.conn.ok() }

// Blocked implements Limiter.
func (r *Redis) Blocked(ctx context.Context, key string) (bool, time.Duration) {
	if blocked, wait := r.fallback.Blocked(key); blocked {
		return true, wait // counted here while Redis was down
	}
	c := r.client()
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
	c := r.client()
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
	c := r.client()
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
