package health

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/wegweiser/wegweiser/backend/internal/jobs"
)

// Workers returns the health jobs' workers (analysis, roll-up, stale sweep)
// for jobs.Client.Register.
func (s *Service) Workers() []jobs.Registration {
	return []jobs.Registration{s.AnalyzeWorker(), s.RollUpWorker(), s.SweepWorker()}
}

// AnalyzeWorker returns the worker of jobs.AnalyzeDeviceArgs. A panic or
// error makes River retry with backoff, then discard the job after its
// attempts; other devices' jobs are unaffected.
func (s *Service) AnalyzeWorker() jobs.Registration { return jobs.Work(&analyzeWorker{s: s}) }

// RollUpWorker returns the worker of jobs.RollUpArgs.
func (s *Service) RollUpWorker() jobs.Registration { return jobs.Work(&rollUpWorker{s: s}) }

// SweepWorker returns the worker of jobs.SweepStaleArgs.
func (s *Service) SweepWorker() jobs.Registration { return jobs.Work(&sweepWorker{s: s}) }

type analyzeWorker struct {
	river.WorkerDefaults[jobs.AnalyzeDeviceArgs]
	s *Service
}

// Work implements river.Worker.
func (w *analyzeWorker) Work(ctx context.Context, job *river.Job[jobs.AnalyzeDeviceArgs]) error {
	return w.s.AnalyzeDevice(ctx, job.Args.TenantID, job.Args.DeviceID, job.Args.SnapshotID)
}

type rollUpWorker struct {
	river.WorkerDefaults[jobs.RollUpArgs]
	s *Service
}

// Work implements river.Worker.
func (w *rollUpWorker) Work(ctx context.Context, job *river.Job[jobs.RollUpArgs]) error {
	return w.s.RollUp(ctx, job.Args.TenantID, job.Args.EntityKind, job.Args.EntityID)
}

type sweepWorker struct {
	river.WorkerDefaults[jobs.SweepStaleArgs]
	s *Service
}

// Timeout implements river.Worker: the sweep walks every tenant.
func (w *sweepWorker) Timeout(*river.Job[jobs.SweepStaleArgs]) time.Duration {
	return jobs.SweepTimeout
}

// Work implements river.Worker.
func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[jobs.SweepStaleArgs]) error {
	return w.s.SweepStale(ctx)
}
