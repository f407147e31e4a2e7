package identity

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/rueidis"

	"github.com/wegweiser/wegweiser/backend/internal/testenv/redistest"
)

// cacheRoundTrip fills a's entry for sid under the stamp a read, and
// reports whether b then sees it.
func fill(t *testing.T, c AuthCache, uid, sid uuid.UUID, role string) {
	t.Helper()
	_, _, stamp, usable := c.get(context.Background(), uid, sid)
	if !usable {
		t.Fatal("cache not usable")
	}
	c.put(context.Background(), sid, authEntry{UserID: uid, Role: role, Expires: time.Now().Add(time.Hour).Unix(), Stamp: stamp})
}

func hit(c AuthCache, uid, sid uuid.UUID) (authEntry, bool) {
	e, ok, _, _ := c.get(context.Background(), uid, sid)
	return e, ok
}

// testInvalidation is what every AuthCache must do: a, b share their
// invalidations (the same cache, or two processes on one Redis).
func testInvalidation(t *testing.T, a, b AuthCache) {
	uid, sid, other := uuid.New(), uuid.New(), uuid.New()
	fill(t, a, uid, sid, "technician")
	fill(t, a, uid, other, "technician")
	if e, ok := hit(b, uid, sid); !ok || e.Role != "technician" {
		t.Fatalf("entry written by one not seen by the other: %v %v", e, ok)
	}
	if _, ok := hit(b, uuid.New(), sid); ok {
		t.Fatal("entry served for another user id")
	}
	// A session's invalidation drops that session only, everywhere.
	a.InvalidateSession(context.Background(), sid)
	if _, ok := hit(b, uid, sid); ok {
		t.Fatal("invalidated session still cached in the other process")
	}
	if _, ok := hit(a, uid, sid); ok {
		t.Fatal("invalidated session still cached in the invalidating process")
	}
	if _, ok := hit(b, uid, other); !ok {
		t.Fatal("another session was dropped too")
	}
	// A user's invalidation drops all their sessions, everywhere.
	fill(t, b, uid, sid, "viewer")
	b.InvalidateUser(context.Background(), uid)
	for _, s := range []uuid.UUID{sid, other} {
		if _, ok := hit(a, uid, s); ok {
			t.Fatal("session of an invalidated user still cached")
		}
	}
	// A value read before an invalidation is never stored as current.
	_, _, stamp, _ := a.get(context.Background(), uid, sid)
	b.InvalidateUser(context.Background(), uid)
	a.put(context.Background(), sid, authEntry{UserID: uid, Role: "owner", Expires: time.Now().Add(time.Hour).Unix(), Stamp: stamp})
	if e, ok := hit(a, uid, sid); ok {
		t.Fatalf("entry read before an invalidation served after it: %+v", e)
	}
}

func TestMemoryAuthCache(t *testing.T) {
	c := NewMemoryAuthCache()
	testInvalidation(t, c, c)
	// Entries expire.
	now := time.Now()
	c.now = func() time.Time { return now }
	uid, sid := uuid.New(), uuid.New()
	fill(t, c, uid, sid, "viewer")
	c.now = func() time.Time { return now.Add(AuthCacheTTL) }
	if _, ok := hit(c, uid, sid); ok {
		t.Fatal("entry served past its TTL")
	}
}

// TestRedisAuthCacheTwoProcesses: two caches on one Redis (two processes)
// see each other's entries and invalidations at once (client-side caching
// with server-assisted invalidation); a cache whose Redis is down is not
// usable (the caller goes to the database) and, once Redis is back,
// retires every entry written before (its invalidations were lost).
func TestRedisAuthCacheTwoProcesses(t *testing.T) {
	srv := redistest.New(t)
	srv.Start(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	opt := rueidis.ClientOption{InitAddress: []string{srv.Addr}}
	prefix := "wwtest:" + uuid.NewString()[:8] + ":"
	a, b := DialRedisAuthCache(opt, prefix, log), DialRedisAuthCache(opt, prefix, log)
	defer a.Close()
	defer b.Close()
	waitUsable(t, a)
	waitUsable(t, b)
	testInvalidation(t, a, b)
	// Hits are served from the client-side cache.
	uid, sid := uuid.New(), uuid.New()
	fill(t, a, uid, sid, "admin")
	for range 3 {
		if _, ok := hit(b, uid, sid); !ok {
			t.Fatal("miss")
		}
	}
	if st := b.Stats(); st.Hits < 3 {
		t.Fatalf("stats %+v, want hits", st)
	}

	srv.Stop(t)
	if _, ok, _, usable := b.get(context.Background(), uid, sid); ok || usable {
		t.Fatal("cache served an entry while Redis was down")
	}
	if _, ok, _, usable := a.get(context.Background(), uid, sid); ok || usable {
		t.Fatal("cache served an entry while Redis was down")
	}
	a.InvalidateUser(context.Background(), uid) // lost: Redis is down
	srv.Start(t)
	a.mu.Lock()
	a.downUntil = time.Time{}
	a.mu.Unlock()
	b.mu.Lock()
	b.downUntil = time.Time{}
	b.mu.Unlock()
	// Redis restarted empty; b fills an entry, then a (which lost an
	// invalidation) comes back and retires it.
	waitUsable(t, b)
	fill(t, b, uid, sid, "admin")
	if _, ok := hit(b, uid, sid); !ok {
		t.Fatal("cache not used again after Redis came back")
	}
	waitUsable(t, a)
	if _, ok := hit(b, uid, sid); ok {
		t.Fatal("entry written before a lost invalidation was resent still served")
	}
}

func waitUsable(t *testing.T, c *RedisAuthCache) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, _, _, usable := c.get(context.Background(), uuid.New(), uuid.New()); usable {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("cache never became usable")
		}
		c.mu.Lock()
		c.downUntil = time.Time{}
		c.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
}
