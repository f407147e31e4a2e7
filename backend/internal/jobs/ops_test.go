package jobs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
)

// recorder runs analyses and roll-ups whose jobs block as a test tells them, recording
// how each run ended.
type recorder struct {
	mu      sync.Mutex
	started map[uuid.UUID]int
	ended   map[uuid.UUID][]string
	// run is what a job does; nil returns at once.
	run func(ctx context.Context, id uuid.UUID, attempt int) error
}

func newRecorder() *recorder {
	return &recorder{started: map[uuid.UUID]int{}, ended: map[uuid.UUID][]string{}}
}

func (r *recorder) do(ctx context.Context, id uuid.UUID) error {
	r.mu.Lock()
	r.started[id]++
	n := r.started[id]
	run := r.run
	r.mu.Unlock()
	var err error
	if run != nil {
		err = run(ctx, id, n)
	}
	how := "completed"
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		how = "cancelled"
	case err != nil:
		how = "failed"
	}
	r.mu.Lock()
	r.ended[id] = append(r.ended[id], how)
	r.mu.Unlock()
	return err
}

func (r *recorder) runs(id uuid.UUID) (started int, ended []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.started[id], append([]string(nil), r.ended[id]...)
}

func startClient(ctx context.Context, t *testing.T, st *store.Store, h *recorder, o jobs.Options) *jobs.Client {
	t.Helper()
	o.Work = true
	if o.PollInterval == 0 {
		o.PollInterval = 20 * time.Millisecond
	}
	jc, err := jobs.New(st, testenv.Logger(t), o)
	if err != nil {
		t.Fatal(err)
	}
	if err := jc.Register(testWorkers(h.do, h.do)...); err != nil {
		t.Fatal(err)
	}
	if err := jc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return jc
}

// TestShutdownLetsJobsFinish (defect 9): a shutdown (the signal context
// cancelled, then Stop with a deadline) lets a running job finish instead
// of cancelling it; a job that does not finish by the deadline is
// cancelled and Stop returns.
func TestShutdownLetsJobsFinish(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		t.Run("running job completes", func(t *testing.T) {
			h := newRecorder()
			h.run = func(ctx context.Context, _ uuid.UUID, _ int) error {
				select {
				case <-time.After(time.Second):
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			signal, stop := context.WithCancel(context.Background())
			defer stop()
			jc := startClient(signal, t, st, h, jobs.Options{})
			dev := uuid.New()
			if err := jc.Enqueue(context.Background(), jobs.AnalyzeDeviceArgs{TenantID: uuid.New(), DeviceID: dev}); err != nil {
				t.Fatal(err)
			}
			testenv.Eventually(t, "job running", func() bool { n, _ := h.runs(dev); return n == 1 })
			stop() // SIGTERM
			deadline, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := jc.Stop(deadline); err != nil {
				t.Fatalf("stop: %v", err)
			}
			if _, ended := h.runs(dev); len(ended) != 1 || ended[0] != "completed" {
				t.Fatalf("job ended %v, want completed", ended)
			}
		})
		t.Run("endless job cancelled at the deadline", func(t *testing.T) {
			h := newRecorder()
			h.run = func(ctx context.Context, _ uuid.UUID, _ int) error {
				<-ctx.Done()
				return ctx.Err()
			}
			jc := startClient(context.Background(), t, st, h, jobs.Options{})
			dev := uuid.New()
			if err := jc.Enqueue(context.Background(), jobs.AnalyzeDeviceArgs{TenantID: uuid.New(), DeviceID: dev}); err != nil {
				t.Fatal(err)
			}
			testenv.Eventually(t, "job running", func() bool { n, _ := h.runs(dev); return n == 1 })
			deadline, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- jc.Stop(deadline) }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("stop: %v", err)
				}
			case <-time.After(60 * time.Second):
				t.Fatal("Stop did not return")
			}
			if _, ended := h.runs(dev); len(ended) != 1 || ended[0] != "cancelled" {
				t.Fatalf("job ended %v, want cancelled", ended)
			}
		})
	})
}

// TestRollUpQueuedWhileOneRuns (defect 11b): a device change that asks for
// a roll-up while the entity's roll-up is running gets a roll-up of its
// own, instead of being dropped as a duplicate of the running one (which
// may have read the devices before the change).
func TestRollUpQueuedWhileOneRuns(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		h := newRecorder()
		release := make(chan struct{})
		h.run = func(ctx context.Context, _ uuid.UUID, n int) error {
			if n == 1 {
				<-release // the first roll-up has read the devices and is still busy
			}
			return nil
		}
		jc := startClient(context.Background(), t, st, h, jobs.Options{})
		t.Cleanup(func() { _ = jc.Stop(context.Background()) })
		ctx := context.Background()
		tenant, org, group := uuid.New(), uuid.New(), uuid.New()
		enqueue := func() {
			t.Helper()
			if err := st.Tx(ctx, func(tx *store.Tx) error { return jc.EnqueueRollUps(ctx, tx, tenant, &group, org) }); err != nil {
				t.Fatal(err)
			}
		}
		earlyInPeriod()
		enqueue()
		enqueue() // a burst collapses into one roll-up
		testenv.Eventually(t, "first roll-up running", func() bool { n, _ := h.runs(group); return n == 1 })
		enqueue() // a device changed meanwhile
		close(release)
		testenv.Eventually(t, "second roll-up done", func() bool { _, ended := h.runs(group); return len(ended) == 2 })
		var n int
		if err := st.DB.QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'roll_up'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 6 {
			t.Fatalf("%d roll-up jobs for three entities asked for in two bursts, want 6", n)
		}
	})
}

// earlyInPeriod waits, if need be, until the roll-ups asked for now are
// scheduled early in a uniqueness period, so that a burst of requests a
// moment apart falls into one period rather than straddling a boundary.
func earlyInPeriod() {
	at := time.Now().Add(jobs.RollUpDebounce)
	if into := at.Sub(at.Truncate(jobs.RollUpDebounce)); into > jobs.RollUpDebounce/3 {
		time.Sleep(jobs.RollUpDebounce - into)
	}
}

// TestStuckRollUpRescued (defect 11a): a roll-up left running by a crashed
// process is run again within minutes (the rescue window), not after
// River's default hour.
func TestStuckRollUpRescued(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		for _, c := range []struct {
			name   string
			ago    time.Duration
			rescue time.Duration
		}{
			{"default window", 10 * time.Minute, 0},
			{"configured window", 2 * time.Minute, 90 * time.Second},
		} {
			t.Run(c.name, func(t *testing.T) {
				ins, err := jobs.NewInserter(st, testenv.Logger(t))
				if err != nil {
					t.Fatal(err)
				}
				ctx := context.Background()
				entity := uuid.New()
				if err := ins.Enqueue(ctx, jobs.RollUpArgs{TenantID: entity, EntityKind: "tenant", EntityID: entity}); err != nil {
					t.Fatal(err)
				}
				// The process that took the job died c.ago.
				q := `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now() - $1 * interval '1 second' WHERE kind = 'roll_up' AND state = 'scheduled'`
				if st.Dialect != dialect.Postgres {
					q = `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = datetime('now', '-' || ? || ' seconds', 'subsec') WHERE kind = 'roll_up' AND state = 'scheduled'`
				}
				if res, err := st.DB.Exec(q, int(c.ago.Seconds())); err != nil {
					t.Fatal(err)
				} else if n, _ := res.RowsAffected(); n != 1 {
					t.Fatalf("%d jobs made stuck, want 1", n)
				}
				h := newRecorder()
				jc := startClient(ctx, t, st, h, jobs.Options{RescueStuckJobsAfter: c.rescue})
				defer func() { _ = jc.Stop(context.Background()) }()
				testenv.Eventually(t, "stuck roll-up run again", func() bool { _, ended := h.runs(entity); return len(ended) == 1 })
			})
		}
	})
}
