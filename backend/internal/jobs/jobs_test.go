package jobs_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/entityhealth"
)

// fastRetry retries at once, so a test sees every attempt quickly.
type fastRetry struct{}

func (fastRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(10 * time.Millisecond) }

type stub struct {
	mu       sync.Mutex
	bad      uuid.UUID
	attempts map[uuid.UUID]int
}

func (s *stub) analyze(_ context.Context, deviceID uuid.UUID) error {
	s.mu.Lock()
	s.attempts[deviceID]++
	s.mu.Unlock()
	if deviceID == s.bad {
		panic("analyzer exploded on this device")
	}
	return nil
}

// testWorkers returns a worker for every job kind: analyses and roll-ups
// call the given functions with the device or entity, the other jobs
// return at once.
func testWorkers(analyze, rollUp func(ctx context.Context, id uuid.UUID) error) []jobs.Registration {
	return []jobs.Registration{
		jobs.Work(river.WorkFunc(func(ctx context.Context, j *river.Job[jobs.AnalyzeDeviceArgs]) error {
			return analyze(ctx, j.Args.DeviceID)
		})),
		jobs.Work(river.WorkFunc(func(ctx context.Context, j *river.Job[jobs.RollUpArgs]) error {
			return rollUp(ctx, j.Args.EntityID)
		})),
		jobs.Work(river.WorkFunc(func(context.Context, *river.Job[jobs.SweepStaleArgs]) error { return nil })),
		jobs.Work(river.WorkFunc(func(context.Context, *river.Job[jobs.DeliverWebhookArgs]) error { return nil })),
		jobs.Work(river.WorkFunc(func(context.Context, *river.Job[jobs.PruneArgs]) error { return nil })),
		jobs.Work(river.WorkFunc(func(context.Context, *river.Job[jobs.NarrativeArgs]) error { return nil })),
		jobs.Work(river.WorkFunc(func(context.Context, *river.Job[jobs.BulkOperationArgs]) error { return nil })),
		jobs.Work(river.WorkFunc(func(context.Context, *river.Job[jobs.DueReportsArgs]) error { return nil })),
		jobs.Work(river.WorkFunc(func(context.Context, *river.Job[jobs.ScheduledReportArgs]) error { return nil })),
	}
}

func (s *stub) count(id uuid.UUID) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts[id]
}

// TestPanickingAnalysisIsContained is docs/security.md reliability test 8: an
// analysis that panics on one device is caught, retried with backoff and
// then discarded, while other devices are analysed.
func TestPanickingAnalysisIsContained(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		h := &stub{bad: uuid.New(), attempts: map[uuid.UUID]int{}}
		jc, err := jobs.New(st, testenv.Logger(t), jobs.Options{Work: true, PollInterval: 20 * time.Millisecond, RetryPolicy: fastRetry{}, MaxAttempts: 3})
		if err != nil {
			t.Fatal(err)
		}
		noop := func(context.Context, uuid.UUID) error { return nil }
		if err := jc.Register(testWorkers(h.analyze, noop)...); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if err := jc.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = jc.Stop(context.Background()) })
		good := []uuid.UUID{uuid.New(), uuid.New()}
		tenant := uuid.New()
		for _, d := range append([]uuid.UUID{h.bad}, good...) {
			if err := jc.Enqueue(ctx, jobs.AnalyzeDeviceArgs{TenantID: tenant, DeviceID: d}); err != nil {
				t.Fatal(err)
			}
		}
		testenv.Eventually(t, "good devices analysed", func() bool { return h.count(good[0]) == 1 && h.count(good[1]) == 1 })
		state := func() string {
			var s string
			_ = st.DB.QueryRow(`SELECT state FROM river_job WHERE kind = 'analyze_device' ORDER BY id LIMIT 1`).Scan(&s)
			return s
		}
		testenv.Eventually(t, "panicking job discarded", func() bool { return state() == "discarded" })
		if n := h.count(h.bad); n != 3 {
			t.Fatalf("panicking job ran %d times, want 3 (MaxAttempts)", n)
		}
		var errs int
		if err := st.DB.QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'analyze_device' AND state = 'completed'`).Scan(&errs); err != nil {
			t.Fatal(err)
		}
		if errs != 2 {
			t.Fatalf("%d completed analyses, want 2", errs)
		}
	})
}

// TestRollUpArgsJSON keeps the roll-up job's arguments compatible with jobs
// queued before the entity kind was typed.
func TestRollUpArgsJSON(t *testing.T) {
	tid, eid := uuid.New(), uuid.New()
	old := `{"tenant_id":"` + tid.String() + `","kind":"organisation","entity_id":"` + eid.String() + `"}`
	var a jobs.RollUpArgs
	if err := json.Unmarshal([]byte(old), &a); err != nil {
		t.Fatal(err)
	}
	if a.EntityKind != entityhealth.KindOrganisation || a.TenantID != tid || a.EntityID != eid {
		t.Fatalf("decoded %+v", a)
	}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != old {
		t.Fatalf("encoded %s, want %s", b, old)
	}
}

// TestStartNeedsEveryWorker: a working client refuses to start while a job
// kind it enqueues has no worker, and refuses a kind registered twice.
func TestStartNeedsEveryWorker(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		jc, err := jobs.New(st, testenv.Logger(t), jobs.Options{Work: true})
		if err != nil {
			t.Fatal(err)
		}
		noop := func(context.Context, uuid.UUID) error { return nil }
		all := testWorkers(noop, noop)
		if err := jc.Register(all[0], all[2], all[3], all[4]); err != nil {
			t.Fatal(err)
		}
		if err := jc.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "roll_up") {
			t.Fatalf("start without a roll-up worker: %v", err)
		}
		if err := jc.Register(all[0]); err == nil {
			t.Fatal("registering analyze_device twice succeeded")
		}
	})
}
