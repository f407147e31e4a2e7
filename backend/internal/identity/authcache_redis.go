package identity

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/redis/rueidis"
)

// Redis keys of the auth cache, under the configured prefix.
const (
	authEpochKey   = "auth:epoch"
	authEntryKey   = "auth:e:"
	authUserGenKey = "auth:ug:"
	authSessGenKey = "auth:sg:"
)

// authGenTTL is how long a generation counter outlives its last change;
// longer than AuthCacheTTL, so no entry outlives the counter it was
// stamped with.
const authGenTTL = time.Hour

// AuthCacheRetryAfter is how long the auth cache leaves Redis alone after
// a connection error: meanwhile every request is checked in the database.
const AuthCacheRetryAfter = 5 * time.Second

// authCacheTimeout bounds one round trip to Redis.
const authCacheTimeout = 500 * time.Millisecond

// RedisAuthCache keeps the per-request checks in Redis and reads the
// entries through rueidis' client-side cache (Redis tells every connected
// process when a key it holds changes: server-assisted invalidation), so a
// hit costs one small MGET of three counters and no database query.
//
// An entry carries the stamp (global epoch, user generation, session
// generation) read before the database was; InvalidateUser and
// InvalidateSession increment a generation, so an entry from before them
// no longer matches. Fail mode: while Redis is unreachable (or not yet
// connected) nothing is cached and every request is checked in the
// database; an invalidation that could not be sent makes the process
// increment the global epoch as soon as Redis answers again, before it
// reads anything from it, which retires every entry written before.
type RedisAuthCache struct {
	dial   func() (rueidis.Client, error)
	prefix string
	log    *slog.Logger
	now    func() time.Time

	mu        sync.Mutex
	client    rueidis.Client
	dialing   bool
	closed    bool
	downUntil time.Time
	down      bool
	// bumpEpoch is set when an invalidation was lost.
	bumpEpoch bool

	hits, misses, fallbacks int64
}

// AuthCacheStats counts what a RedisAuthCache did.
type AuthCacheStats struct {
	// Hits were answered from the cache, Misses read the database and
	// filled it, Fallbacks read the database because Redis was unavailable.
	Hits, Misses, Fallbacks int64
}

// DialRedisAuthCache returns a cache that connects with opt in the
// background (now and after each failure); client-side caching is turned
// on. prefix namespaces its keys. Close releases it.
func DialRedisAuthCache(opt rueidis.ClientOption, prefix string, log *slog.Logger) *RedisAuthCache {
	opt.DisableCache = false
	c := &RedisAuthCache{
		dial:   func() (rueidis.Client, error) { return rueidis.NewClient(opt) },
		prefix: prefix, log: log, now: time.Now,
		bumpEpoch: true, // another process may have lost invalidations before this one started
	}
	c.mu.Lock()
	c.startDialLocked()
	c.mu.Unlock()
	return c
}

// Stats returns the cache's counters.
func (c *RedisAuthCache) Stats() AuthCacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return AuthCacheStats{Hits: c.hits, Misses: c.misses, Fallbacks: c.fallbacks}
}

// Close releases the client; later calls check in the database.
func (c *RedisAuthCache) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.client != nil {
		c.client.Close()
	}
	c.client = nil
}

func (c *RedisAuthCache) startDialLocked() {
	if c.dialing || c.closed {
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
		}
	}()
}

func (c *RedisAuthCache) markDownLocked(err error) {
	c.downUntil = c.now().Add(AuthCacheRetryAfter)
	if !c.down {
		c.log.Warn("session cache: Redis unavailable, checking every request in the database", "err", err, "retry_after", AuthCacheRetryAfter)
	}
	c.down = true
}

// failed records an error of a Redis call: one Redis answered with leaves
// the connection up, anything else marks it down for the back-off.
func (c *RedisAuthCache) failed(err error) {
	var reply *rueidis.RedisError
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fallbacks++
	if errors.As(err, &reply) {
		c.log.Warn("session cache: Redis refused a command", "err", err)
		return
	}
	c.markDownLocked(err)
}

// use returns the client to use now, or nil to go to the database. After
// lost invalidations it first retires every entry (the global epoch).
func (c *RedisAuthCache) use(ctx context.Context) rueidis.Client {
	c.mu.Lock()
	if c.closed || c.now().Before(c.downUntil) {
		c.fallbacks++
		c.mu.Unlock()
		return nil
	}
	if c.client == nil {
		c.startDialLocked()
		c.fallbacks++
		c.mu.Unlock()
		return nil
	}
	cl, bump := c.client, c.bumpEpoch
	c.mu.Unlock()
	if bump {
		if err := c.incr(ctx, cl, c.prefix+authEpochKey); err != nil {
			c.failed(err)
			return nil
		}
		c.mu.Lock()
		c.bumpEpoch = false
		c.mu.Unlock()
	}
	c.mu.Lock()
	if c.down {
		c.log.Info("session cache: Redis is back, caching there again")
	}
	c.down = false
	c.mu.Unlock()
	return cl
}

func (c *RedisAuthCache) incr(ctx context.Context, cl rueidis.Client, keys ...string) error {
	ctx, cancel := context.WithTimeout(ctx, authCacheTimeout)
	defer cancel()
	cmds := make(rueidis.Commands, 0, 2*len(keys))
	for _, k := range keys {
		cmds = append(cmds, cl.B().Incr().Key(k).Build(), cl.B().Pexpire().Key(k).Milliseconds(authGenTTL.Milliseconds()).Build())
	}
	for _, r := range cl.DoMulti(ctx, cmds...) {
		if err := r.Error(); err != nil {
			return err
		}
	}
	return nil
}

func (c *RedisAuthCache) get(ctx context.Context, uid, sid uuid.UUID) (authEntry, bool, authStamp, bool) {
	cl := c.use(ctx)
	if cl == nil {
		return authEntry{}, false, authStamp{}, false
	}
	ctx, cancel := context.WithTimeout(ctx, authCacheTimeout)
	defer cancel()
	// The generations are read from Redis itself, every time: an
	// invalidation made by another process is then seen by the very next
	// request here, with no wait for Redis' invalidation message. The
	// entry comes from the client-side cache (its stamp says whether it
	// is still current).
	gens, err := cl.Do(ctx, cl.B().Mget().Key(c.prefix+authEpochKey, c.prefix+authUserGenKey+uid.String(),
		c.prefix+authSessGenKey+sid.String()).Build()).ToArray()
	if err != nil {
		c.failed(err)
		return authEntry{}, false, authStamp{}, false
	}
	var stamp authStamp
	for i := range stamp {
		if i >= len(gens) {
			break
		}
		n, err := gens[i].AsInt64()
		if rueidis.IsRedisNil(err) {
			n, err = 0, nil
		}
		if err != nil {
			c.failed(err)
			return authEntry{}, false, authStamp{}, false
		}
		stamp[i] = n
	}
	entry := cl.DoCache(ctx, cl.B().Get().Key(c.prefix+authEntryKey+sid.String()).Cache(), AuthCacheTTL)
	raw, err := entry.ToString()
	if rueidis.IsRedisNil(err) {
		c.count(&c.misses)
		return authEntry{}, false, stamp, true
	}
	if err != nil {
		c.failed(err)
		return authEntry{}, false, authStamp{}, false
	}
	var e authEntry
	if json.Unmarshal([]byte(raw), &e) != nil || e.Stamp != stamp || e.UserID != uid {
		c.count(&c.misses)
		return authEntry{}, false, stamp, true
	}
	c.count(&c.hits)
	return e, true, stamp, true
}

func (c *RedisAuthCache) count(n *int64) {
	c.mu.Lock()
	*n++
	c.mu.Unlock()
}

func (c *RedisAuthCache) put(ctx context.Context, sid uuid.UUID, e authEntry) {
	cl := c.use(ctx)
	if cl == nil {
		return
	}
	raw, err := json.Marshal(e)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, authCacheTimeout)
	defer cancel()
	if err := cl.Do(ctx, cl.B().Set().Key(c.prefix+authEntryKey+sid.String()).Value(string(raw)).
		Px(AuthCacheTTL).Build()).Error(); err != nil {
		c.failed(err)
	}
}

// InvalidateUser implements AuthCache.
func (c *RedisAuthCache) InvalidateUser(ctx context.Context, userID uuid.UUID) {
	c.invalidate(ctx, c.prefix+authUserGenKey+userID.String())
}

// InvalidateSession implements AuthCache.
func (c *RedisAuthCache) InvalidateSession(ctx context.Context, sessionID uuid.UUID) {
	c.invalidate(ctx, c.prefix+authSessGenKey+sessionID.String())
}

func (c *RedisAuthCache) invalidate(ctx context.Context, key string) {
	// An invalidation must not wait for the request that made it being
	// cancelled: it runs on its own short deadline.
	ctx = context.WithoutCancel(ctx)
	cl := c.use(ctx)
	if cl == nil {
		c.lost()
		return
	}
	if err := c.incr(ctx, cl, key); err != nil {
		c.failed(err)
		c.lost()
	}
}

// lost records an invalidation that did not reach Redis.
func (c *RedisAuthCache) lost() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bumpEpoch = true
}
