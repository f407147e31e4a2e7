package ratelimit

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/redis/rueidis"
)

func exercise(t *testing.T, l Limiter, key string) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if blocked, _ := l.Blocked(ctx, key); blocked {
			t.Fatalf("blocked after %d events, limit 3", i)
		}
		l.Add(ctx, key)
	}
	blocked, wait := l.Blocked(ctx, key)
	if !blocked || wait <= 0 || wait > time.Minute {
		t.Fatalf("after 3 events: blocked=%v wait=%v", blocked, wait)
	}
	if other, _ := l.Blocked(ctx, key+"-other"); other {
		t.Fatal("another key is blocked")
	}
	l.Reset(ctx, key)
	if blocked, _ := l.Blocked(ctx, key); blocked {
		t.Fatal("still blocked after reset")
	}
}

func TestMemory(t *testing.T) {
	exercise(t, Memory{NewWindow(3, time.Minute)}, "mem")
}

func TestWindowExpires(t *testing.T) {
	w := NewWindow(2, time.Minute)
	now := time.Now()
	w.now = func() time.Time { return now }
	w.Add("k")
	w.Add("k")
	if b, _ := w.Blocked("k"); !b {
		t.Fatal("not blocked at the limit")
	}
	now = now.Add(61 * time.Second)
	if b, _ := w.Blocked("k"); b {
		t.Fatal("still blocked after the window moved on")
	}
}

func redisClient(t *testing.T, addr string) rueidis.Client {
	t.Helper()
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}, DisableCache: true})
	if err != nil {
		t.Fatalf("connect to Redis at %s: %v", addr, err)
	}
	t.Cleanup(c.Close)
	return c
}

// TestRedis runs against the real Redis of `make test`.
func TestRedis(t *testing.T) {
	url := os.Getenv("WEGWEISER_TEST_REDIS_URL")
	if url == "" {
		t.Skip("WEGWEISER_TEST_REDIS_URL not set (run through make test)")
	}
	opt, err := rueidis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redisClient(t, opt.InitAddress[0])
	l := NewRedis(c, "wwtest:"+time.Now().Format("150405.000000")+":", 3, time.Minute, slog.New(slog.NewTextHandler(io.Discard, nil)))
	exercise(t, l, "login")
	// Two limiters on one Redis share counts (as two replicas would).
	l2 := NewRedis(c, l.prefix, 3, time.Minute, l.log)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		l.Add(ctx, "shared")
	}
	if b, _ := l2.Blocked(ctx, "shared"); !b {
		t.Fatal("a second limiter does not see the first one's counts")
	}
}

// TestRedisDown: when Redis stops answering, the limiter keeps throttling
// in process (the documented fail mode) instead of failing requests.
func TestRedisDown(t *testing.T) {
	url := os.Getenv("WEGWEISER_TEST_REDIS_URL")
	if url == "" {
		t.Skip("WEGWEISER_TEST_REDIS_URL not set (run through make test)")
	}
	opt, err := rueidis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: opt.InitAddress, DisableCache: true})
	if err != nil {
		t.Fatal(err)
	}
	c.Close() // every command now fails, as with Redis gone
	l := NewRedis(c, "x:", 3, time.Minute, slog.New(slog.NewTextHandler(io.Discard, nil)))
	exercise(t, l, "down")
}
