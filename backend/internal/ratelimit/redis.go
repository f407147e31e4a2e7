package ratelimit

import (
	"context"
	"log/slog"
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

// Redis counts in Redis (fixed windows: INCR plus an expiry set with the
// first event), so every replica sees the same counts.
//
// Fail mode: when Redis does not answer, the limiter falls back to a
// per-process window with the same limit and logs a warning — requests are
// neither refused because Redis is down nor left unthrottled.
type Redis struct {
	client   rueidis.Client
	prefix   string
	limit    int64
	period   time.Duration
	fallback *Window
	log      *slog.Logger
}

// NewRedis returns a Redis-backed limiter; prefix namespaces its keys.
func NewRedis(client rueidis.Client, prefix string, limit int, period time.Duration, log *slog.Logger) *Redis {
	return &Redis{client: client, prefix: prefix, limit: int64(limit), period: period, fallback: NewWindow(limit, period), log: log}
}

func (r *Redis) key(k string) string { return r.prefix + k }

func (r *Redis) down(err error) {
	r.log.Warn("rate limiter: Redis unavailable, counting in this process", "err", err)
}

// Blocked implements Limiter.
func (r *Redis) Blocked(ctx context.Context, key string) (bool, time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	res := r.client.DoMulti(ctx,
		r.client.B().Get().Key(r.key(key)).Build(),
		r.client.B().Pttl().Key(r.key(key)).Build(),
	)
	n, err := res[0].AsInt64()
	if rueidis.IsRedisNil(err) {
		return false, 0
	}
	if err != nil {
		r.down(err)
		return r.fallback.Blocked(key)
	}
	if n < r.limit {
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
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	res := r.client.DoMulti(ctx,
		r.client.B().Incr().Key(r.key(key)).Build(),
		r.client.B().Pexpire().Key(r.key(key)).Milliseconds(r.period.Milliseconds()).Nx().Build(),
	)
	if _, err := res[0].AsInt64(); err != nil {
		r.down(err)
		r.fallback.Add(key)
	}
}

// Reset implements Limiter.
func (r *Redis) Reset(ctx context.Context, key string) {
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if err := r.client.Do(ctx, r.client.B().Del().Key(r.key(key)).Build()).Error(); err != nil {
		r.down(err)
	}
	r.fallback.Reset(key)
}
