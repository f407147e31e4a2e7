package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/wegweiser/wegweiser/backend/internal/loglimit"
)

type manualClock struct {
	mu    sync.Mutex
	now   time.Time
	fires []func()
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) AfterFunc(_ time.Duration, f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fires = append(c.fires, f)
}

// TestOutageLogsAreLimited is defect 13: a database outage failing 1,000
// requests in one second writes a bounded number of lines, and the
// summary reports the suppressed ones; the callers still get unavailable
// and internal errors each time.
func TestOutageLogsAreLimited(t *testing.T) {
	clock := &manualClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	saved := errorLogs
	errorLogs = loglimit.New(loglimit.Options{Burst: 5, Interval: time.Minute, Clock: clock})
	t.Cleanup(func() { errorLogs = saved })
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	for i := range 1000 {
		dial := &net.OpError{Op: "dial", Net: "tcp", Err: fmt.Errorf("connect to 10.0.0.%d:5432: connection refused", i%250)}
		err := ToConnect(context.Background(), log, "/wegweiser.v1.DeviceService/ListDevices", fmt.Errorf("list devices: %w", dial))
		if connect.CodeOf(err) != connect.CodeUnavailable {
			t.Fatalf("outage error: %v, want unavailable", err)
		}
		internal := ToConnect(context.Background(), log, "/wegweiser.v1.DeviceService/ListDevices", fmt.Errorf("scan row %d: %w", i, errors.New("bad column")))
		if connect.CodeOf(internal) != connect.CodeInternal {
			t.Fatalf("internal error: %v", internal)
		}
		clock.mu.Lock()
		clock.now = clock.now.Add(time.Millisecond)
		clock.mu.Unlock()
	}
	got := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(got) != 10 {
		t.Fatalf("%d lines for 2,000 failures in a second, want 10 (5 per class):\n%s", len(got), buf.String())
	}
	clock.mu.Lock()
	clock.now = clock.now.Add(time.Minute)
	fires := clock.fires
	clock.mu.Unlock()
	for _, f := range fires {
		f()
	}
	out := buf.String()
	if !strings.Contains(out, "suppressed 995 similar messages: database unavailable") ||
		!strings.Contains(out, "suppressed 995 similar messages: internal error") {
		t.Fatalf("no summary lines:\n%s", out)
	}
	if n := len(strings.Split(strings.TrimSpace(out), "\n")); n != 12 {
		t.Fatalf("%d lines after the summaries, want 12", n)
	}
}
