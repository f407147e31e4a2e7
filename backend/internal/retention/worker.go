package retention

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/wegweiser/wegweiser/backend/internal/jobs"
)

// Worker returns the worker of the periodic jobs.PruneArgs for
// jobs.Client.Register.
func (s *Service) Worker() jobs.Registration { return jobs.Work(&pruneWorker{s: s}) }

type pruneWorker struct {
	river.WorkerDefaults[jobs.PruneArgs]
	s *Service
}

// Work implements river.Worker.
func (w *pruneWorker) Work(ctx context.Context, _ *river.Job[jobs.PruneArgs]) error {
	return w.s.Prune(ctx)
}
