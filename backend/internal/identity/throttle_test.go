package identity

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/ratelimit"
)

// recorder is a Limiter that remembers the keys it was given.
type recorder struct {
	mu   sync.Mutex
	keys []string
}

func (r *recorder) note(k string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.keys = append(r.keys, k)
}
func (r *recorder) Blocked(_ context.Context, k string) (bool, time.Duration) {
	r.note(k)
	return false, 0
}
func (r *recorder) Add(_ context.Context, k string)   { r.note(k) }
func (r *recorder) Reset(_ context.Context, k string) { r.note(k) }

// TestHugeEmailNeverAKey: a 1 MB email is invalid_argument before any
// limiter sees it, and what limiters see is always a fixed-size hash.
func TestHugeEmailNeverAKey(t *testing.T) {
	rec := &recorder{}
	limits := NewLimits(func(string, int, time.Duration) ratelimit.Limiter { return rec })
	s := NewService(nil, nil, &Options{Limits: limits}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	huge := strings.Repeat("a", 1<<20) + "@example.com"
	_, err := s.Login(context.Background(), huge, "some password", "", "203.0.113.1")
	if !apperr.Is(err, apperr.KindInvalid) {
		t.Fatalf("login with a 1 MB email: %v, want invalid", err)
	}
	if err := s.RequestPasswordReset(context.Background(), huge, "203.0.113.1"); !apperr.Is(err, apperr.KindInvalid) {
		t.Fatalf("reset with a 1 MB email: %v, want invalid", err)
	}
	for _, k := range rec.keys {
		if len(k) != 32 {
			t.Fatalf("a limiter got a key of %d bytes", len(k))
		}
	}
}

// TestHashingBounded: no more hashes run at once than the Hasher has
// slots, and a call that cannot get a slot is resource_exhausted.
func TestHashingBounded(t *testing.T) {
	if n := NewHasher(0, 0).Slots(); n != HashMemoryBudgetKiB/argonMemoryKiB {
		t.Fatalf("default slots %d, want %d", n, HashMemoryBudgetKiB/argonMemoryKiB)
	}
	var running, peak atomic.Int32
	release := make(chan struct{})
	orig := idKey
	idKey = func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		running.Add(-1)
		return make([]byte, keyLen)
	}
	t.Cleanup(func() { idKey = orig })

	h := NewHasher(3, 50*time.Millisecond)
	var wg sync.WaitGroup
	results := make(chan error, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := h.Hash(context.Background(), "correct horse battery")
			results <- err
		}()
	}
	// Seven of the ten cannot get a slot while three hashes hang.
	refused := 0
	for refused < 7 {
		err := <-results
		if !apperr.Is(err, apperr.KindResourceExhausted) {
			t.Fatalf("while all slots are busy: %v, want resource_exhausted", err)
		}
		if e, _ := apperr.As(err); e.RetryAfterSeconds < 1 {
			t.Fatal("no retry hint")
		}
		refused++
	}
	close(release)
	wg.Wait()
	close(results)
	for err := range results {
		if err != nil {
			t.Fatalf("a hash with a slot failed: %v", err)
		}
	}
	if p := peak.Load(); p != 3 {
		t.Fatalf("%d hashes ran at once, want 3", p)
	}
}
