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

// TestWindowBounded: a key never holds more than Limit timestamps, and a
// flood of distinct keys never grows the window past MaxKeys.
func TestWindowBounded(t *testing.T) {
	w := NewWindow(3, time.Hour)
	w.MaxKeys = 100
	for i := 0; i < 50; i++ {
		w.Add("one")
	}
	if n := len(w.events["one"]); n != 3 {
		t.Fatalf("one key holds %d timestamps, want 3", n)
	}
	if b, _ := w.Blocked("one"); !b {
		t.Fatal("not blocked after 50 events")
	}
	for i := 0; i < 10_000; i++ {
		w.Add(Key("flood", string(rune(i))))
		if w.Len() > 100 {
			t.Fatalf("window holds %d keys after %d adds, cap 100", w.Len(), i+1)
		}
	}
}

// TestKeySize: keys have one size whatever they are made of.
func TestKeySize(t *testing.T) {
	long := Key("login-account", string(make([]byte, 1<<20)))
	short := Key("login-account", "a@b.example")
	if len(long) != 32 || len(short) != 32 || long == short {
		t.Fatalf("keys %q %q", long, short)
	}
	if Key("a", "bc") == Key("ab", "c") {
		t.Fatal("parts are not separated")
	}
}
