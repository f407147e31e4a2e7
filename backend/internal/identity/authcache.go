package identity

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"
)

// AuthCacheTTL is how long a cached per-request check (membership and
// session) may be used without asking the database again. Every change that
// must take effect at once invalidates it explicitly; the TTL only bounds
// what a missed invalidation could cost.
const AuthCacheTTL = 2 * time.Minute

// LastUseInterval is how often at most a session's last use is written.
const LastUseInterval = time.Minute

// authEntry is what Authenticate remembers of one session: ids, role,
// scope, flags and times, nothing secret. Only live sessions of active
// members are cached; a refusal is never cached.
type authEntry struct {
	UserID   uuid.UUID   `json:"u"`
	TenantID uuid.UUID   `json:"t"`
	Role     string      `json:"r"`
	Orgs     []uuid.UUID `json:"o,omitempty"`
	Pending  bool        `json:"p,omitempty"`
	// Expires is when the session ends unless refreshed (Unix seconds).
	Expires int64 `json:"x"`
	// LastUse is the session's last use as written to the database (Unix
	// seconds).
	LastUse int64 `json:"l"`
	// Stamp is the invalidation state the entry was read under (see
	// authStamp); an entry whose stamp is no longer current is ignored.
	Stamp authStamp `json:"g"`
}

// authStamp is the invalidation state observed before the database was
// read: the global epoch, the user's and the session's generation. Any
// invalidation in between changes one of them, so a value read before a
// change can never be taken for one read after it.
type authStamp [3]int64

// AuthCache caches Authenticate's database checks. Implementations must
// make InvalidateUser and InvalidateSession take effect for the next get
// (in every process sharing the cache) and may drop entries at any time.
type AuthCache interface {
	// get returns the entry of session sid of user uid, whether it is
	// current, and the stamp to put a fresh entry under. ok is false
	// for a miss; usable is false while the cache is unavailable (then
	// nothing is put).
	get(ctx context.Context, uid, sid uuid.UUID) (e authEntry, ok bool, stamp authStamp, usable bool)
	// put stores e for sid, stamped with what get returned.
	put(ctx context.Context, sid uuid.UUID, e authEntry)
	// InvalidateUser drops every entry of userID's sessions.
	InvalidateUser(ctx context.Context, userID uuid.UUID)
	// InvalidateSession drops the entry of one session.
	InvalidateSession(ctx context.Context, sessionID uuid.UUID)
}

// MemoryAuthCacheSize bounds the entries of the in-process cache; when it
// is full, new sessions are checked in the database until entries expire.
const MemoryAuthCacheSize = 20000

// MemoryAuthCache is the in-process AuthCache of the embedded default (one
// process): entries live for AuthCacheTTL, invalidation is immediate.
type MemoryAuthCache struct {
	mu      sync.Mutex
	now     func() time.Time
	version int64 // bumped by every invalidation
	entries map[uuid.UUID]memEntry
}

type memEntry struct {
	e     authEntry
	until time.Time
}

// NewMemoryAuthCache returns an empty in-process cache.
func NewMemoryAuthCache() *MemoryAuthCache {
	return &MemoryAuthCache{now: time.Now, entries: map[uuid.UUID]memEntry{}}
}

func (c *MemoryAuthCache) get(_ context.Context, uid, sid uuid.UUID) (authEntry, bool, authStamp, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	stamp := authStamp{c.version}
	m, ok := c.entries[sid]
	if !ok || m.e.UserID != uid {
		return authEntry{}, false, stamp, true
	}
	if !c.now().Before(m.until) {
		delete(c.entries, sid)
		return authEntry{}, false, stamp, true
	}
	return m.e, true, stamp, true
}

func (c *MemoryAuthCache) put(_ context.Context, sid uuid.UUID, e authEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.Stamp[0] != c.version {
		return // invalidated since the database was read
	}
	if _, ok := c.entries[sid]; !ok && len(c.entries) >= MemoryAuthCacheSize {
		c.pruneLocked()
		if len(c.entries) >= MemoryAuthCacheSize {
			return
		}
	}
	until := c.now().Add(AuthCacheTTL)
	if old, ok := c.entries[sid]; ok && old.e.Stamp == e.Stamp {
		until = old.until // a last-use update does not extend the entry
	}
	c.entries[sid] = memEntry{e: e, until: until}
}

func (c *MemoryAuthCache) pruneLocked() {
	now := c.now()
	for k, m := range c.entries {
		if !now.Before(m.until) {
			delete(c.entries, k)
		}
	}
}

// InvalidateUser implements AuthCache.
func (c *MemoryAuthCache) InvalidateUser(_ context.Context, userID uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.version++
	for k, m := range c.entries {
		if m.e.UserID == userID {
			delete(c.entries, k)
		}
	}
}

// InvalidateSession implements AuthCache.
func (c *MemoryAuthCache) InvalidateSession(_ context.Context, sessionID uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.version++
	delete(c.entries, sessionID)
}

// Len returns the number of cached entries (for tests).
func (c *MemoryAuthCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
