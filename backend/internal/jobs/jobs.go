// Package jobs runs Wegweiser's background work on River, in the same
// database as the data (PostgreSQL, or SQLite in the embedded default), so
// a job is enqueued in the same transaction as the change that calls for it.
// It holds the job arguments and the client; the workers live next to their
// logic (health: analysis, roll-up and stale sweep; alert: webhook
// delivery; retention: pruning) and are given to the client in one place,
// server.NewApp, through Client.Register.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"entgo.io/ent/dialect"
	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent/entityhealth"
)

// AnalyzeDeviceArgs asks for a device to be analysed after new data. It is
// unique per device and snapshot: a retried or repeated snapshot never
// queues a second analysis. (Unique per device alone would lose a snapshot
// that arrives while the device's analysis runs, because River counts a
// running job as a duplicate.) Analyses of one device are serialised by the
// worker, and an analysis of a snapshot already analysed is skipped.
type AnalyzeDeviceArgs struct {
	// TenantID is the device's tenant; the worker acts as that tenant only.
	TenantID uuid.UUID `json:"tenant_id"`
	// DeviceID is the device to analyse.
	DeviceID uuid.UUID `json:"device_id"`
	// SnapshotID is the snapshot that called for the analysis; uuid.Nil
	// (recompute on demand) analyses whatever is latest, even if done before.
	SnapshotID uuid.UUID `json:"snapshot_id"`
	// Request makes an on-demand recompute unique, so that it is never
	// taken for a duplicate of an analysis that is still running.
	Request uuid.UUID `json:"request,omitempty"`
}

// Recompute returns args that re-analyse a device now, whatever was
// analysed before.
func Recompute(tenantID, deviceID uuid.UUID) AnalyzeDeviceArgs {
	return AnalyzeDeviceArgs{TenantID: tenantID, DeviceID: deviceID, Request: uuid.New()}
}

// Kind implements river.JobArgs.
func (AnalyzeDeviceArgs) Kind() string { return "analyze_device" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (AnalyzeDeviceArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue: "analysis",
		UniqueOpts: river.UniqueOpts{
			ByArgs: true,
			ByState: []rivertype.JobState{
				rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
				rivertype.JobStateRetryable, rivertype.JobStateScheduled,
			},
		},
	}
}

// driver returns River's driver for the store's dialect.
func driver(st *store.Store) riverdriver.Driver[*sql.Tx] {
	if st.Dialect == dialect.Postgres {
		return riverdatabasesql.New(st.DB)
	}
	return riversqlite.New(st.DB)
}

// Migrate applies River's own migrations.
func Migrate(ctx context.Context, st *store.Store) error {
	m, err := rivermigrate.New(driver(st), nil)
	if err != nil {
		return fmt.Errorf("river migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	return nil
}

// RollUpArgs asks for a group, an organisation or the tenant to be rolled
// up again from its devices. It is scheduled RollUpDebounce ahead and unique
// per entity within a RollUpDebounce period of its scheduled time, so a
// burst of device analyses causes one roll-up per period.
//
// It must never be taken for a duplicate of a roll-up that is already
// running: that one may have read the devices before the change, which
// would then be lost until the entity's next change. River requires the
// running state among the unique states, so uniqueness is by period
// instead: a running roll-up was scheduled at or before now, and one asked
// for now is scheduled RollUpDebounce later, which always falls into a
// later period (RollUpDebounce is not shorter than the period). Roll-ups of
// one entity are serialised by health.RollUp, which reads the devices after
// taking the entity's lock.
type RollUpArgs struct {
	// TenantID is the entity's tenant; the worker acts as that tenant only.
	TenantID uuid.UUID `json:"tenant_id"`
	// EntityKind is the kind of entity: group, organisation or tenant
	// (encoded as "group", "organisation", "tenant").
	EntityKind entityhealth.Kind `json:"kind"`
	// EntityID is the group, organisation or tenant to roll up.
	EntityID uuid.UUID `json:"entity_id"`
}

// Kind implements river.JobArgs.
func (RollUpArgs) Kind() string { return "roll_up" }

// RollUpDebounce is how long a roll-up waits for more device changes.
const RollUpDebounce = 3 * time.Second

// InsertOpts implements river.JobArgsWithInsertOpts: scheduled
// RollUpDebounce from now, unique per entity and period (see RollUpArgs).
func (RollUpArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       "rollup",
		ScheduledAt: time.Now().Add(RollUpDebounce),
		UniqueOpts: river.UniqueOpts{
			ByArgs:   true,
			ByPeriod: RollUpDebounce,
			ByState: []rivertype.JobState{
				rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
				rivertype.JobStateRetryable, rivertype.JobStateScheduled,
			},
		},
	}
}

// DeliverWebhookArgs sends one webhook delivery; failures are retried with
// River's backoff and the delivery is marked failed after the last attempt.
type DeliverWebhookArgs struct {
	// TenantID is the delivery's tenant; the worker acts as that tenant only.
	TenantID uuid.UUID `json:"tenant_id"`
	// DeliveryID is the webhook delivery to send.
	DeliveryID uuid.UUID `json:"delivery_id"`
}

// Kind implements river.JobArgs.
func (DeliverWebhookArgs) Kind() string { return "deliver_webhook" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (DeliverWebhookArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: "webhooks", MaxAttempts: 8}
}

// NarrativeArgs asks for the narrative of a device, group, organisation or
// tenant to be written again from its findings. Like RollUpArgs it is
// scheduled NarrativeDebounce ahead and unique per entity and period, so a
// burst of analyses writes one narrative; the worker does nothing (and calls
// no model) when the findings did not change since the stored narrative.
type NarrativeArgs struct {
	// TenantID is the entity's tenant; the worker acts as that tenant only.
	TenantID uuid.UUID `json:"tenant_id"`
	// EntityKind is "device", "group", "organisation" or "tenant".
	EntityKind string `json:"kind"`
	// EntityID is the entity (the tenant's id for the tenant).
	EntityID uuid.UUID `json:"entity_id"`
}

// Kind implements river.JobArgs.
func (NarrativeArgs) Kind() string { return "write_narrative" }

// NarrativeDebounce is how long a narrative waits for more changes (the
// roll-up's, so both run after the same burst).
const NarrativeDebounce = RollUpDebounce

// InsertOpts implements river.JobArgsWithInsertOpts: scheduled
// NarrativeDebounce from now, unique per entity and period; a model that
// fails is retried with River's backoff, a few times.
func (NarrativeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       "narratives",
		MaxAttempts: 4,
		ScheduledAt: time.Now().Add(NarrativeDebounce),
		UniqueOpts: river.UniqueOpts{
			ByArgs:   true,
			ByPeriod: NarrativeDebounce,
			ByState: []rivertype.JobState{
				rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
				rivertype.JobStateRetryable, rivertype.JobStateScheduled,
			},
		},
	}
}

// EnqueueNarratives schedules, in the caller's transaction, the narratives
// of a device that was analysed and of its group, organisation and tenant.
func (c *Client) EnqueueNarratives(ctx context.Context, tx *store.Tx, tenantID, deviceID uuid.UUID, groupID *uuid.UUID, orgID uuid.UUID) error {
	at := time.Now().Add(NarrativeDebounce)
	args := []NarrativeArgs{{TenantID: tenantID, EntityKind: "device", EntityID: deviceID}}
	if groupID != nil {
		args = append(args, NarrativeArgs{TenantID: tenantID, EntityKind: "group", EntityID: *groupID})
	}
	args = append(args,
		NarrativeArgs{TenantID: tenantID, EntityKind: "organisation", EntityID: orgID},
		NarrativeArgs{TenantID: tenantID, EntityKind: "tenant", EntityID: tenantID})
	params := make([]river.InsertManyParams, len(args))
	for i, a := range args {
		opts := a.InsertOpts()
		opts.ScheduledAt = at
		params[i] = river.InsertManyParams{Args: a, InsertOpts: &opts}
	}
	if _, err := c.river.InsertManyTx(ctx, tx.SQL, params); err != nil {
		return fmt.Errorf("enqueue narratives: %w", err)
	}
	return nil
}

// BulkOperationArgs works through one bulk operation on devices (see
// backend/internal/device): a batch at a time, each in its own transaction,
// recording progress as it goes, so a retried run resumes after the last
// batch it finished. Unique per operation.
type BulkOperationArgs struct {
	// TenantID is the operation's tenant; the worker acts as the member who
	// started it, inside that tenant.
	TenantID uuid.UUID `json:"tenant_id"`
	// OperationID is the bulk operation.
	OperationID uuid.UUID `json:"operation_id"`
}

// Kind implements river.JobArgs.
func (BulkOperationArgs) Kind() string { return "bulk_operation" }

// BulkTimeout is how long one run of a bulk operation may take; a run cut
// off resumes from its recorded progress.
const BulkTimeout = 2 * time.Minute

// InsertOpts implements river.JobArgsWithInsertOpts.
func (BulkOperationArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue: "bulk",
		UniqueOpts: river.UniqueOpts{
			ByArgs: true,
			ByState: []rivertype.JobState{
				rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
				rivertype.JobStateRetryable, rivertype.JobStateScheduled,
			},
		},
	}
}

// SweepStaleArgs is the periodic job that re-analyses devices whose data has
// gone stale and notices agents that went silent.
type SweepStaleArgs struct{}

// Kind implements river.JobArgs.
func (SweepStaleArgs) Kind() string { return "sweep_stale" }

// Kinds are the kinds of every job the client enqueues or schedules; a
// working client must have a worker for each (see Register).
var Kinds = []string{
	AnalyzeDeviceArgs{}.Kind(), RollUpArgs{}.Kind(), SweepStaleArgs{}.Kind(),
	DeliverWebhookArgs{}.Kind(), PruneArgs{}.Kind(), NarrativeArgs{}.Kind(),
	BulkOperationArgs{}.Kind(),
	DueReportsArgs{}.Kind(), ScheduledReportArgs{}.Kind(),
}

// Registration is one worker for the client; the domain packages that do
// the work make them with Work, and server.NewApp passes them all to
// Register. Each job carries its tenant; workers act as that tenant only.
type Registration struct {
	kind string
	add  func(*river.Workers)
}

// Work returns the Registration of a River worker for jobs of args T.
func Work[T river.JobArgs](w river.Worker[T]) Registration {
	var args T
	return Registration{kind: args.Kind(), add: func(ws *river.Workers) { river.AddWorker(ws, w) }}
}

// Client enqueues jobs and, once started, runs them.
type Client struct {
	river *river.Client[*sql.Tx]
	// workers is River's bundle of workers (nil unless the client works),
	// filled by Register before Start.
	workers    *river.Workers
	registered map[string]bool
	started    bool
	log        *slog.Logger
}

// Options configure the job client.
type Options struct {
	// Work runs workers in this process (serve, worker, tests); without it
	// the client only inserts.
	Work bool
	// PollInterval is how often workers look for jobs where the database
	// cannot notify (SQLite, or PostgreSQL through database/sql).
	PollInterval time.Duration
	// SweepInterval is how often stale devices are looked for.
	SweepInterval time.Duration
	// RetryPolicy overrides River's default (exponential) retry backoff.
	RetryPolicy river.ClientRetryPolicy
	// MaxAttempts is how often a failing job runs before it is discarded
	// (default 5).
	MaxAttempts int
	// RescueStuckJobsAfter is how long a job may stay running before it is
	// taken for the job of a crashed process and run again (default
	// RescueStuckJobsAfter). It must exceed every job's timeout.
	RescueStuckJobsAfter time.Duration
}

// Job time limits. A job running past its timeout has its context cancelled
// and is retried; a job left running by a crashed process is rescued (made
// retryable) once it has been running for RescueStuckJobsAfter, a little
// more than the longest timeout. River's maintenance looks for such jobs
// every 30 seconds.
const (
	JobTimeout           = time.Minute
	SweepTimeout         = 2 * time.Minute
	RescueStuckJobsAfter = 3 * time.Minute
)

// CancelGrace is how long Stop waits for jobs to return after cancelling
// them, once the graceful deadline has passed.
const CancelGrace = 5 * time.Second

// New returns a job client over the store.
func New(st *store.Store, log *slog.Logger, o Options) (*Client, error) {
	// River reports every maintenance run at info; keep warnings and errors.
	cfg := &river.Config{Logger: slog.New(minLevel{log.Handler(), slog.LevelWarn})}
	var workers *river.Workers
	if o.Work {
		if o.PollInterval <= 0 {
			o.PollInterval = time.Second
		}
		if o.SweepInterval <= 0 {
			o.SweepInterval = 10 * time.Minute
		}
		// The bundle is filled by Register, before Start.
		workers = river.NewWorkers()
		cfg.Workers = workers
		// Analyses wait on the database more than on the CPU, so more
		// workers than cores; a short fetch cooldown keeps short jobs from
		// waiting on the fetch loop (River's 100 ms default caps a queue at
		// MaxWorkers jobs per 100 ms).
		cfg.Queues = map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: 2},
			"analysis":         {MaxWorkers: 16},
			"rollup":           {MaxWorkers: 4},
			"webhooks":         {MaxWorkers: 8},
			"narratives":       {MaxWorkers: 2},
			"bulk":             {MaxWorkers: 1},
			"reports":          {MaxWorkers: 2},
		}
		cfg.FetchPollInterval = o.PollInterval
		cfg.FetchCooldown = min(o.PollInterval, 10*time.Millisecond)
		cfg.MaxAttempts = 5
		if o.MaxAttempts > 0 {
			cfg.MaxAttempts = o.MaxAttempts
		}
		cfg.RetryPolicy = o.RetryPolicy
		cfg.JobTimeout = JobTimeout
		cfg.RescueStuckJobsAfter = RescueStuckJobsAfter
		if o.RescueStuckJobsAfter > 0 {
			cfg.RescueStuckJobsAfter = o.RescueStuckJobsAfter
		}
		cfg.PeriodicJobs = []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(o.SweepInterval), func() (river.JobArgs, *river.InsertOpts) {
				return SweepStaleArgs{}, nil
			}, &river.PeriodicJobOpts{RunOnStart: false}),
			river.NewPeriodicJob(river.PeriodicInterval(PruneInterval), func() (river.JobArgs, *river.InsertOpts) {
				return PruneArgs{}, nil
			}, &river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(DueReportsInterval), func() (river.JobArgs, *river.InsertOpts) {
				return DueReportsArgs{}, nil
			}, &river.PeriodicJobOpts{RunOnStart: true}),
		}
	}
	rc, err := river.NewClient(driver(st), cfg)
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return &Client{river: rc, workers: workers, registered: map[string]bool{}, log: log}, nil
}

// NewInserter returns a client that only inserts jobs.
func NewInserter(st *store.Store, log *slog.Logger) (*Client, error) {
	return New(st, log, Options{})
}

// River returns the underlying River client (for River's own dashboard).
func (c *Client) River() *river.Client[*sql.Tx] { return c.river }

// Register gives a working client its workers: the one place where the
// domains' workers (health, alert, retention) meet River. Call it before
// Start and before the first job is enqueued; a client that only inserts
// ignores it. Registering a kind twice is an error.
func (c *Client) Register(regs ...Registration) error {
	if c.workers == nil {
		return nil
	}
	if c.started {
		return fmt.Errorf("jobs: Register after Start")
	}
	for _, r := range regs {
		if c.registered[r.kind] {
			return fmt.Errorf("jobs: two workers for %s", r.kind)
		}
		c.registered[r.kind] = true
		r.add(c.workers)
	}
	return nil
}

// Start runs the workers until Stop. Cancelling ctx does not stop them
// (River would cancel the running jobs): a shutdown calls Stop, which lets
// them finish.
func (c *Client) Start(ctx context.Context) error {
	if c.workers == nil {
		return fmt.Errorf("jobs: Start on a client that only inserts")
	}
	for _, k := range Kinds {
		if !c.registered[k] {
			return fmt.Errorf("jobs: no worker registered for %s", k)
		}
	}
	c.started = true
	if err := c.river.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start River: %w", err)
	}
	return nil
}

// Stop shuts the workers down gracefully: no new jobs are fetched and the
// running ones may finish until ctx ends; those still running then have
// their contexts cancelled, and Stop waits up to CancelGrace more for them
// to return. Cancelled jobs are retried later (by another process, or by
// this one after a restart).
func (c *Client) Stop(ctx context.Context) error {
	err := c.river.Stop(ctx)
	if err == nil {
		return nil
	}
	if ctx.Err() == nil {
		return fmt.Errorf("stop workers: %w", err)
	}
	c.log.Warn("jobs still running at the shutdown deadline; cancelling them")
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), CancelGrace)
	defer cancel()
	if err := c.river.StopAndCancel(cctx); err != nil {
		return fmt.Errorf("cancel running jobs: %w", err)
	}
	return nil
}

// EnqueueTx inserts a job in the caller's transaction: it exists only if
// the transaction commits.
func (c *Client) EnqueueTx(ctx context.Context, tx *store.Tx, args river.JobArgs) (*rivertype.JobInsertResult, error) {
	res, err := c.river.InsertTx(ctx, tx.SQL, args, nil)
	if err != nil {
		return nil, fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return res, nil
}

// Enqueue inserts a job outside a transaction.
func (c *Client) Enqueue(ctx context.Context, args river.JobArgs) error {
	if _, err := c.river.Insert(ctx, args, nil); err != nil {
		return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// EnqueueRollUps schedules roll-ups of a device's group, organisation and
// tenant in the caller's transaction, debounced.
func (c *Client) EnqueueRollUps(ctx context.Context, tx *store.Tx, tenantID uuid.UUID, groupID *uuid.UUID, orgID uuid.UUID) error {
	at := time.Now().Add(RollUpDebounce)
	var params []river.InsertManyParams
	if groupID != nil {
		params = append(params, river.InsertManyParams{Args: RollUpArgs{TenantID: tenantID, EntityKind: entityhealth.KindGroup, EntityID: *groupID}})
	}
	params = append(params,
		river.InsertManyParams{Args: RollUpArgs{TenantID: tenantID, EntityKind: entityhealth.KindOrganisation, EntityID: orgID}},
		river.InsertManyParams{Args: RollUpArgs{TenantID: tenantID, EntityKind: entityhealth.KindTenant, EntityID: tenantID}},
	)
	for i := range params {
		opts := params[i].Args.(river.JobArgsWithInsertOpts).InsertOpts()
		opts.ScheduledAt = at // one time for the three, so they share a period
		params[i].InsertOpts = &opts
	}
	if _, err := c.river.InsertManyTx(ctx, tx.SQL, params); err != nil {
		return fmt.Errorf("enqueue roll-ups: %w", err)
	}
	return nil
}

// minLevel drops records below a level.
type minLevel struct {
	slog.Handler
	min slog.Level
}

// Enabled implements slog.Handler.
func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

// WithAttrs implements slog.Handler.
func (h minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(a), h.min}
}

// WithGroup implements slog.Handler.
func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.min}
}
