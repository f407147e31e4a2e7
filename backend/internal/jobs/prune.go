package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// PruneArgs is the periodic job that deletes records past each tenant's
// retention (see the retention package).
type PruneArgs struct{}

// Kind implements river.JobArgs.
func (PruneArgs) Kind() string { return "prune_retention" }

// PruneInterval is how often retention is applied.
const PruneInterval = 6 * time.Hour

// Pruner applies retention; the retention package implements it.
type Pruner interface {
	Prune(ctx context.Context) error
}

type pruneWorker struct {
	river.WorkerDefaults[PruneArgs]
	ref *handlerRef
}

// Work implements river.Worker.
func (w *pruneWorker) Work(ctx context.Context, _ *river.Job[PruneArgs]) error {
	if w.ref.pruner == nil {
		return nil
	}
	return w.ref.pruner.Prune(ctx)
}

// SetPruner gives the prune job its implementation; call it before Start.
func (c *Client) SetPruner(p Pruner) { c.handlers.pruner = p }
