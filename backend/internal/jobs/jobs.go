// Package jobs runs Wegweiser's background work on River, in the same
// database as the data (PostgreSQL, or SQLite in the embedded default), so
// a job is enqueued in the same transaction as the change that calls for it.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"entgo.io/ent/dialect"
	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/wegweiser/wegweiser/backend/internal/store"
)

// AnalyzeDeviceArgs asks for a device to be analysed after new data. It is
// unique per device while one is waiting or running, so a burst of
// snapshots causes one analysis.
type AnalyzeDeviceArgs struct {
	// TenantID is the device's tenant; the worker acts as that tenant only.
	TenantID uuid.UUID `json:"tenant_id"`
	// DeviceID is the device to analyse.
	DeviceID uuid.UUID `json:"device_id"`
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

// Client enqueues jobs (and, once workers are registered, runs them).
type Client struct {
	river *river.Client[*sql.Tx]
}

// NewInserter returns a client that only inserts jobs. The analysis worker
// arrives with the health model; until then jobs wait in the queue as the
// record that a device is due for analysis.
func NewInserter(st *store.Store, log *slog.Logger) (*Client, error) {
	rc, err := river.NewClient(driver(st), &river.Config{Logger: log})
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return &Client{river: rc}, nil
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
