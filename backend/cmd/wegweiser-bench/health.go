package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertype"

	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/ingest"
	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/simulate"
	"github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// noop counts jobs and records how long each waited from insert to start.
type noop struct {
	done  atomic.Int64
	mu    sync.Mutex
	waits []time.Duration
}

func (n *noop) record(created time.Time) {
	n.mu.Lock()
	n.waits = append(n.waits, time.Since(created))
	n.mu.Unlock()
	n.done.Add(1)
}

type noopArgs struct{ N int }

func (noopArgs) Kind() string { return "bench_noop" }

type noopWorker struct {
	river.WorkerDefaults[noopArgs]
	n *noop
}

func (w *noopWorker) Work(_ context.Context, j *river.Job[noopArgs]) error {
	w.n.record(j.CreatedAt)
	return nil
}

// noopWorkers are no-op workers for the configured client; analyses count.
func noopWorkers(n *noop) []jobs.Registration {
	return []jobs.Registration{
		jobs.Work(river.WorkFunc(func(context.Context, *river.Job[jobs.AnalyzeDeviceArgs]) error {
			n.done.Add(1)
			return nil
		})),
		jobs.Work(river.WorkFunc(func(context.Context, *river.Job[jobs.RollUpArgs]) error { return nil })),
		jobs.Work(river.WorkFunc(func(context.Context, *river.Job[jobs.SweepStaleArgs]) error { return nil })),
		jobs.Work(river.WorkFunc(func(context.Context, *river.Job[jobs.DeliverWebhookArgs]) error { return nil })),
		jobs.Work(river.WorkFunc(func(context.Context, *river.Job[jobs.PruneArgs]) error { return nil })),
		jobs.Work(river.WorkFunc(func(context.Context, *river.Job[jobs.NarrativeArgs]) error { return nil })),
		jobs.Work(river.WorkFunc(func(context.Context, *river.Job[jobs.DueReportsArgs]) error { return nil })),
		jobs.Work(river.WorkFunc(func(context.Context, *river.Job[jobs.ScheduledReportArgs]) error { return nil })),
		jobs.Work(river.WorkFunc(func(context.Context, *river.Job[jobs.BulkOperationArgs]) error { return nil })),
	}
}

func waitFor(n *noop, total int64, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for n.done.Load() < total {
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d jobs ran", n.done.Load(), total)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}

func p99(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)*99/100]
}

// p6 compares draining analysis jobs through Wegweiser's job client (its
// queues and polling as configured; no-op handlers) with River's own no-op
// drain on the same database, and measures enqueue→start latency.
func (b *bench) p6() (Result, error) {
	const total = 5000
	db := b.st.DB
	// Bare: River with a no-op worker and its defaults.
	bn := &noop{}
	workers := river.NewWorkers()
	river.AddWorker(workers, &noopWorker{n: bn})
	bare, err := river.NewClient(riverdatabasesql.New(db), &river.Config{
		Workers: workers, Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 100}}, Logger: quietLog(),
	})
	if err != nil {
		return Result{}, err
	}
	params := make([]river.InsertManyParams, total)
	for i := range params {
		params[i] = river.InsertManyParams{Args: noopArgs{N: i}}
	}
	if _, err := bare.InsertMany(b.ctx, params); err != nil {
		return Result{}, err
	}
	start := time.Now()
	if err := bare.Start(b.ctx); err != nil {
		return Result{}, err
	}
	if err := waitFor(bn, total, 5*time.Minute); err != nil {
		return Result{}, err
	}
	bareRate := float64(total) / time.Since(start).Seconds()
	_ = bare.Stop(b.ctx)

	// Measured: the configured client.
	mn := &noop{}
	jc, err := jobs.New(b.st, quietLog(), jobs.Options{Work: true})
	if err != nil {
		return Result{}, err
	}
	if err := jc.Register(noopWorkers(mn)...); err != nil {
		return Result{}, err
	}
	tenant := uuid.New()
	params = params[:0]
	for i := 0; i < total; i++ {
		params = append(params, river.InsertManyParams{Args: jobs.AnalyzeDeviceArgs{TenantID: tenant, DeviceID: uuid.New(), SnapshotID: uuid.New()}})
	}
	if _, err := jc.River().InsertMany(b.ctx, params); err != nil {
		return Result{}, err
	}
	start = time.Now()
	if err := jc.Start(b.ctx); err != nil {
		return Result{}, err
	}
	if err := waitFor(mn, total, 5*time.Minute); err != nil {
		return Result{}, err
	}
	rate := float64(total) / time.Since(start).Seconds()

	// Latency: jobs inserted one by one while the queue is idle.
	var waits []time.Duration
	for i := 0; i < 100; i++ {
		before := mn.done.Load()
		at := time.Now()
		if err := jc.Enqueue(b.ctx, jobs.AnalyzeDeviceArgs{TenantID: tenant, DeviceID: uuid.New(), SnapshotID: uuid.New()}); err != nil {
			return Result{}, err
		}
		if err := waitFor(mn, before+1, time.Minute); err != nil {
			return Result{}, err
		}
		waits = append(waits, time.Since(at))
		time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
	}
	_ = jc.Stop(b.ctx)
	lat := p99(waits)
	ratio := rate / bareRate
	return Result{
		ID: "P6", What: "analysis jobs drained through the configured queues", Baseline: "River no-op jobs, default config, same database",
		Unit: "jobs/s", Measured: rate, Bare: bareRate, Ratio: ratio, Goal: "≥ 0.5 × River; enqueue→start p99 ≤ 150 ms",
		Met:   ratio >= 0.5 && lat <= 150*time.Millisecond,
		Notes: fmt.Sprintf("%d jobs; enqueue→start p99 %s over 100 single inserts (polling every %s: database/sql has no LISTEN)", total, lat.Round(time.Millisecond), time.Second),
	}, nil
}

// population is a synthetic tenant of many devices with stored snapshots.
type population struct {
	tenantID uuid.UUID
	// ownerID is the tenant's owner, who signed it up.
	ownerID uuid.UUID
	orgs    []uuid.UUID
	devices []uuid.UUID
	// scored is set once seedHealth gave every device a health row.
	scored bool
}

// populate creates n devices over orgs organisations, each with the
// sections of one of a few dozen simulated machines, written with COPY.
func (b *bench) populate(n, orgs int) (*population, error) {
	res, err := b.app.Identity.SignUp(b.ctx, identity.SignUpInput{TenantName: "Fleet", Email: fmt.Sprintf("fleet-%s@example.com", uuid.NewString()[:8]), Password: "benchmark-password"})
	if err != nil {
		return nil, err
	}
	p := &population{tenantID: res.Tenant.ID, ownerID: res.User.ID}
	tctx := bypass.AsTenant(b.ctx, p.tenantID, "bench: read the health of the bench tenant")
	for i := 0; i < orgs; i++ {
		o, err := b.st.Ent.Organisation.Create().SetTenantID(p.tenantID).SetName(fmt.Sprintf("Org %03d", i)).Save(tctx)
		if err != nil {
			return nil, err
		}
		p.orgs = append(p.orgs, o.ID)
	}
	machines := simulate.Fleet(77, "FLEET", 48)
	type secs struct {
		names, hashes []string
		data          [][]byte
		server        bool
	}
	var kinds []secs
	now := time.Now().UTC()
	for _, m := range machines {
		ss, err := ingest.Sections(m.Snapshot(now, 0))
		if err != nil {
			return nil, err
		}
		var k secs
		for _, s := range ss {
			k.names, k.hashes, k.data = append(k.names, s.Name), append(k.hashes, s.Hash), append(k.data, s.Data)
		}
		k.server = m.Profile.Server
		kinds = append(kinds, k)
	}
	pool, err := pgxpool.New(b.ctx, b.db)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	var devRows, secRows, snapRows [][]any
	for i := 0; i < n; i++ {
		id := uuid.Must(uuid.NewV7())
		org := p.orgs[i%len(p.orgs)]
		k := kinds[i%len(kinds)]
		role := device.RoleWorkstation
		if k.server {
			role = device.RoleServer
		}
		snap := uuid.New()
		devRows = append(devRows, []any{id, p.tenantID, org, fmt.Sprintf("FLEET-%06d", i), "linux", string(role), "", "", "", "", "", "[]", "", "[]", now, now, now, now, 0, int64(0)})
		snapRows = append(snapRows, []any{uuid.Must(uuid.NewV7()), p.tenantID, id, org, snap, now, now, "bench", "{}", "[]", 1000})
		for j := range k.names {
			secRows = append(secRows, []any{uuid.Must(uuid.NewV7()), p.tenantID, id, org, k.names[j], k.hashes[j], k.data[j], snap, now})
		}
		p.devices = append(p.devices, id)
	}
	copies := []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"devices", []string{"id", "tenant_id", "organisation_id", "hostname", "platform", "role", "os_name", "os_version", "manufacturer", "model", "serial_number", "ip_addresses", "agent_version", "tags", "last_seen_at", "last_snapshot_at", "created_at", "updated_at", "spooled_snapshots", "dropped_snapshots"}, devRows},
		{"snapshots", []string{"id", "tenant_id", "device_id", "organisation_id", "snapshot_id", "collected_at", "received_at", "agent_version", "section_hashes", "changed_sections", "size_bytes"}, snapRows},
		{"device_sections", []string{"id", "tenant_id", "device_id", "organisation_id", "name", "hash", "data", "snapshot_id", "updated_at"}, secRows},
	}
	for _, c := range copies {
		if _, err := pool.CopyFrom(b.ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
			return nil, fmt.Errorf("copy %s: %w", c.table, err)
		}
	}
	return p, nil
}

// p7 re-scores every device of a large tenant through the analysis path
// (policy, latest snapshot, analyzer, health, history, roll-up scheduling),
// and measures the analyzer's own CPU time per device.
func (b *bench) p7(pop *population) (Result, error) {
	var next atomic.Int64
	next.Store(-1)
	var wg sync.WaitGroup
	var firstErr atomic.Value
	start := time.Now()
	deadline := start.Add(b.p7Budget)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if b.p7Budget > 0 && time.Now().After(deadline) {
					return
				}
				i := int(next.Add(1))
				if i >= len(pop.devices) {
					return
				}
				if err := b.app.Health.AnalyzeDevice(b.ctx, pop.tenantID, pop.devices[i], uuid.Nil); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return Result{}, err
	}
	done := min(int(next.Load()), len(pop.devices))
	if done < 1 {
		return Result{}, fmt.Errorf("no device re-scored")
	}
	perDevice := time.Since(start) / time.Duration(done)
	// Analyzer CPU alone, on the simulated snapshots.
	machines := simulate.Fleet(77, "FLEET", 48)
	var samples []time.Duration
	now := time.Now().UTC()
	for r := 0; r < 5; r++ {
		for _, m := range machines {
			s := m.Snapshot(now, r)
			t0 := time.Now()
			if _, err := analyzer.Analyze(analyzer.Input{Snapshot: s, Now: now, ReceivedAt: now}, analyzer.Policy{}); err != nil {
				return Result{}, err
			}
			samples = append(samples, time.Since(t0))
		}
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	median := samples[len(samples)/2]
	ms := float64(perDevice.Microseconds()) / 1000
	return Result{
		ID: "P7", What: fmt.Sprintf("re-score devices of a %d-device tenant end to end (4 workers)", len(pop.devices)), Baseline: "goal: 3 ms per device",
		Unit: "ms/device", Measured: ms, Bare: 3, Ratio: ms / 3, Goal: "≤ 3 ms per device; analyzer median ≤ 1 ms",
		Met:   ms <= 3 && median <= time.Millisecond,
		Notes: fmt.Sprintf("%d devices re-scored in %s (time budget %s); analyzer CPU median %s per snapshot", done, time.Since(start).Round(time.Second), b.p7Budget, median.Round(time.Microsecond)),
	}, nil
}

// p8 compares the full roll-up (every organisation and the tenant, with
// caps, distribution, worst devices and history) with one bare SQL
// statement averaging device scores per organisation.
func (b *bench) p8(pop *population) (Result, error) {
	db, err := sql.Open("pgx", b.db)
	if err != nil {
		return Result{}, err
	}
	defer func() { _ = db.Close() }()
	bareRun := func() (time.Duration, error) {
		t0 := time.Now()
		rows, err := db.QueryContext(b.ctx, `SELECT organisation_id, AVG(score * CASE WHEN server THEN 3 ELSE 1 END) / AVG(CASE WHEN server THEN 3 ELSE 1 END), MIN(score), COUNT(*)
			FROM device_healths WHERE tenant_id = $1 GROUP BY organisation_id`, pop.tenantID)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
		}
		_ = rows.Close()
		return time.Since(t0), rows.Err()
	}
	measuredRun := func() (time.Duration, error) {
		t0 := time.Now()
		if err := b.app.Health.RollUpTenant(b.ctx, pop.tenantID); err != nil {
			return 0, err
		}
		return time.Since(t0), nil
	}
	var bare, measured time.Duration
	for i := 0; i < 3; i++ {
		bd, err := bareRun()
		if err != nil {
			return Result{}, err
		}
		md, err := measuredRun()
		if err != nil {
			return Result{}, err
		}
		if i == 0 || bd < bare {
			bare = bd
		}
		if i == 0 || md < measured {
			measured = md
		}
	}
	ratio := float64(measured) / float64(bare)
	return Result{
		ID: "P8", What: fmt.Sprintf("full roll-up with history, %d devices, %d organisations + tenant", len(pop.devices), len(pop.orgs)), Baseline: "one GROUP BY over device scores",
		Unit: "ms", Measured: float64(measured.Milliseconds()), Bare: float64(bare.Milliseconds()), Ratio: ratio, Goal: "≤ 2.5 × bare", Met: ratio <= 2.5,
		Notes: "best of 3 runs each",
	}, nil
}

// p9 compares the device list read as a viewer (privacy rules add the
// tenant filter) with the same query with an explicit tenant_id filter and
// the rules bypassed.
func (b *bench) p9(pop *population) (Result, error) {
	vctx := viewer.NewContext(b.ctx, &viewer.Viewer{TenantID: pop.tenantID, Role: viewer.RoleOwner, UserID: uuid.New()})
	sys := allow(b.ctx)
	const rounds = 300
	run := func(ctx context.Context, explicit bool) (time.Duration, error) {
		t0 := time.Now()
		for i := 0; i < rounds; i++ {
			q := b.st.Ent.Device.Query().Where(device.HostnameGT(fmt.Sprintf("FLEET-%06d", (i*997)%len(pop.devices))))
			if explicit {
				q = q.Where(device.TenantID(pop.tenantID))
			}
			if _, err := q.Order(device.ByHostname()).Limit(50).All(ctx); err != nil {
				return 0, err
			}
		}
		return time.Since(t0), nil
	}
	var bare, measured time.Duration
	for i := 0; i < 3; i++ {
		bd, err := run(sys, true)
		if err != nil {
			return Result{}, err
		}
		md, err := run(vctx, false)
		if err != nil {
			return Result{}, err
		}
		if i == 0 || bd < bare {
			bare = bd
		}
		if i == 0 || md < measured {
			measured = md
		}
	}
	ratio := float64(measured) / float64(bare)
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / rounds }
	return Result{
		ID: "P9", What: "tenant isolation cost: device page of 50 through privacy rules", Baseline: "same query, explicit tenant_id, rules bypassed",
		Unit: "µs/query", Measured: per(measured), Bare: per(bare), Ratio: ratio, Goal: "≤ 1.10 × explicit filter", Met: ratio <= 1.10,
		Notes: fmt.Sprintf("%d keyset pages over %d devices, best of 3", rounds, len(pop.devices)),
	}, nil
}

var _ = rivertype.JobStateAvailable
