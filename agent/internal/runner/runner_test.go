package runner_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/wegweiser/wegweiser/agent/internal/collector"
	"github.com/wegweiser/wegweiser/agent/internal/runner"
	"github.com/wegweiser/wegweiser/agent/internal/uplink"
	"github.com/wegweiser/wegweiser/agent/internal/uplink/uplinktest"
	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// fakeCollect makes snapshots of a fixed size without touching the machine.
func fakeCollect(pad int) func(context.Context, *collector.Env, []string) *agentv1.Snapshot {
	return func(context.Context, *collector.Env, []string) *agentv1.Snapshot {
		return &agentv1.Snapshot{
			SnapshotId:    collector.NewID(),
			CollectedTime: timestamppb.Now(),
			AgentVersion:  "test",
			Os:            &agentv1.OperatingSystem{Platform: "linux", Hostname: strings.Repeat("h", pad)},
		}
	}
}

// waits records waits instead of sleeping, so no test depends on time.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

type setup struct {
	srv   *uplinktest.Server
	dir   string
	waits *waits
	paces *int
}

func newSetup(t *testing.T) setup {
	t.Helper()
	srv := uplinktest.New(t)
	srv.Start()
	dir := t.TempDir()
	resp, err := uplink.Enroll(context.Background(), srv.Client(), srv.URL(), &agentv1.EnrollRequest{EnrolmentKey: srv.EnrolmentKey})
	if err != nil {
		t.Fatal(err)
	}
	if err := uplink.SaveState(dir, &uplink.State{Server: srv.URL(), DeviceID: resp.GetDeviceId(), DeviceToken: resp.GetDeviceToken()}); err != nil {
		t.Fatal(err)
	}
	return setup{srv: srv, dir: dir, waits: &waits{}, paces: new(int)}
}

func (s setup) agent(t *testing.T, spoolMax int64) *runner.Agent {
	t.Helper()
	p := uplink.RetryPolicy{Attempts: 3, Base: time.Second, Max: 10 * time.Second, MaxRetryAfter: time.Minute, Sleep: s.waits.sleep}
	a, err := runner.New(runner.Options{
		StateDir:      s.dir,
		SpoolMaxBytes: spoolMax,
		HTTPClient:    s.srv.Client(),
		Retry:         &p,
		Pace:          func() time.Duration { *s.paces++; return time.Millisecond },
		Collect:       fakeCollect(2000),
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func spooledIDs(t *testing.T, a *runner.Agent) []string {
	t.Helper()
	es, err := a.Uplink().Spool.Entries()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.SnapshotID)
	}
	return out
}

// docs/security.md, reliability test 6: the server is unreachable for a long
// time → the agent spools up to its cap, drops the oldest with a counter,
// and when the server returns drains every remaining snapshot exactly
// once, oldest first, with jitter between sends; a submission whose
// acknowledgement was lost is retried with the same snapshot id.
func TestServerUnreachableSpoolsUpToCapDropsOldestAndDrainsExactlyOnce(t *testing.T) {
	s := newSetup(t)
	one := int64(proto.Size(fakeCollect(2000)(context.Background(), nil, nil)))
	capBytes := 5*one + one/2 // room for five snapshots
	a := s.agent(t, capBytes)
	ctx := context.Background()

	s.srv.Stop()
	var ids []string
	for range 12 {
		snap, err := a.Cycle(ctx)
		if connect.CodeOf(err) != connect.CodeUnavailable {
			t.Fatalf("cycle with the server down: %v", err)
		}
		ids = append(ids, snap.GetSnapshotId())
	}
	if err := a.Heartbeat(ctx); connect.CodeOf(err) != connect.CodeUnavailable {
		t.Fatalf("heartbeat with the server down: %v", err)
	}
	if got := spooledIDs(t, a); !slices.Equal(got, ids[7:]) {
		t.Fatalf("spool holds %v, want the newest five %v", got, ids[7:])
	}
	if d := a.Uplink().Spool.Dropped(); d != 7 {
		t.Fatalf("dropped = %d, want 7", d)
	}
	if _, n, _ := a.Uplink().Spool.Stats(); n > capBytes {
		t.Fatalf("spool holds %d bytes, cap %d", n, capBytes)
	}
	if len(s.srv.StoredIDs()) != 0 {
		t.Fatal("the stopped server stored something")
	}
	for _, w := range s.waits.d {
		if w > 10*time.Second {
			t.Fatalf("a retry waited %v, beyond the policy's cap", w)
		}
	}

	// The agent restarts while the server is still away: spool and counter survive.
	a = s.agent(t, capBytes)
	if d := a.Uplink().Spool.Dropped(); d != 7 {
		t.Fatalf("dropped after restart = %d", d)
	}

	// The server returns; the first acknowledgement gets lost on the way.
	s.srv.Start()
	s.srv.LoseAckFor(ids[7])
	*s.paces = 0
	res, err := a.Drain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 5 || res.Duplicates != 1 || res.Remaining != 0 {
		t.Fatalf("drain = %+v", res)
	}
	if got := s.srv.StoredIDs(); !slices.Equal(got, ids[7:]) {
		t.Fatalf("server stored %v, want each of %v once, oldest first", got, ids[7:])
	}
	subs := s.srv.Submissions()
	if want := append([]string{ids[7]}, ids[7:]...); !slices.Equal(subs, want) {
		t.Fatalf("submissions = %v, want the lost one retried with its id: %v", subs, want)
	}
	if *s.paces != 4 {
		t.Fatalf("paced %d times between 5 sends, want 4", *s.paces)
	}
	if n, _, _ := a.Uplink().Spool.Stats(); n != 0 {
		t.Fatalf("%d snapshots left in the spool", n)
	}
	if res, err := a.Drain(ctx); err != nil || res.Sent != 0 {
		t.Fatalf("second drain = %+v, %v", res, err)
	}
	if len(s.srv.StoredIDs()) != 5 {
		t.Fatal("something was stored twice")
	}

	if err := a.Heartbeat(ctx); err != nil {
		t.Fatal(err)
	}
	hb := s.srv.Heartbeats()
	if len(hb) != 1 || hb[0].GetDroppedSnapshots() != 7 || hb[0].GetSpooledSnapshots() != 0 {
		t.Fatalf("heartbeat = %v", hb)
	}
}

func TestOnceFailsAndKeepsSnapshotThenSendsItFirst(t *testing.T) {
	s := newSetup(t)
	a := s.agent(t, 0)
	ctx := context.Background()
	s.srv.Stop()
	first, err := a.Once(ctx)
	if err == nil {
		t.Fatal("Once succeeded with the server down")
	}
	if got := spooledIDs(t, a); !slices.Equal(got, []string{first.GetSnapshotId()}) {
		t.Fatalf("spool = %v", got)
	}
	s.srv.Start()
	second, err := a.Once(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.srv.StoredIDs(); !slices.Equal(got, []string{first.GetSnapshotId(), second.GetSnapshotId()}) {
		t.Fatalf("stored = %v", got)
	}
}

func TestRetryAfterFromServerIsHonoured(t *testing.T) {
	s := newSetup(t)
	a := s.agent(t, 0)
	s.srv.FailNext(uplinktest.ResourceExhausted(42))
	if _, err := a.Cycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(s.waits.d) != 1 || s.waits.d[0] < 42*time.Second {
		t.Fatalf("waits = %v, want one of at least 42s", s.waits.d)
	}
}

func TestRevokedTokenMeansEnrolAgain(t *testing.T) {
	s := newSetup(t)
	st, _ := uplink.LoadState(s.dir)
	st.DeviceToken = "revoked"
	if err := uplink.SaveState(s.dir, st); err != nil {
		t.Fatal(err)
	}
	a := s.agent(t, 0)
	err := a.Run(context.Background())
	if !errors.Is(err, uplink.ErrEnrolAgain) {
		t.Fatalf("Run = %v, want ErrEnrolAgain", err)
	}
	if _, err := a.Once(context.Background()); !errors.Is(err, uplink.ErrEnrolAgain) {
		t.Fatalf("Once = %v, want ErrEnrolAgain", err)
	}
}

func TestRunCollectsSendsBeatsAndStopsOnCancel(t *testing.T) {
	s := newSetup(t)
	s.srv.SetConfig(&agentv1.AgentConfig{
		CheckInInterval:   durationpb.New(20 * time.Millisecond),
		Jitter:            durationpb.New(5 * time.Millisecond),
		HeartbeatInterval: durationpb.New(20 * time.Millisecond),
		Collectors:        []string{"os"},
	})
	p := uplink.RetryPolicy{Attempts: 2, Base: time.Millisecond, Max: 5 * time.Millisecond}
	var mu sync.Mutex
	var asked [][]string
	a, err := runner.New(runner.Options{
		StateDir: s.dir, HTTPClient: s.srv.Client(), Retry: &p, MinInterval: 10 * time.Millisecond,
		Pace: func() time.Duration { return 0 },
		Collect: func(ctx context.Context, env *collector.Env, names []string) *agentv1.Snapshot {
			mu.Lock()
			asked = append(asked, names)
			mu.Unlock()
			return fakeCollect(10)(ctx, env, names)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	deadline := time.Now().Add(30 * time.Second)
	for len(s.srv.StoredIDs()) < 3 || len(s.srv.Heartbeats()) < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("after 30s: %d stored, %d heartbeats", len(s.srv.StoredIDs()), len(s.srv.Heartbeats()))
		}
		time.Sleep(10 * time.Millisecond)
	}
	// A second run on the same state folder refuses to start.
	b, _ := runner.New(runner.Options{StateDir: s.dir, HTTPClient: s.srv.Client()})
	if err := b.Run(context.Background()); !errors.Is(err, runner.ErrAlreadyRunning) {
		t.Errorf("second Run = %v, want ErrAlreadyRunning", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after cancel = %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not stop after cancel")
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(asked[0], []string{"os"}) {
		t.Fatalf("collectors asked = %v, want the server's selection", asked[0])
	}
	if _, err := os.Stat(filepath.Join(s.dir, "config.json")); err != nil {
		t.Fatalf("server config not saved: %v", err)
	}
}

func TestConfigIsNormalised(t *testing.T) {
	s := newSetup(t)
	s.srv.SetConfig(&agentv1.AgentConfig{CheckInInterval: durationpb.New(time.Second), Jitter: durationpb.New(time.Hour)})
	a := s.agent(t, 0)
	if err := a.RefreshConfig(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := a.Config()
	if c.GetCheckInInterval().AsDuration() != 30*time.Second || c.GetJitter().AsDuration() != 30*time.Second || c.GetHeartbeatInterval().AsDuration() != runner.DefaultHeartbeatInterval {
		t.Fatalf("config = %v", c)
	}
}
