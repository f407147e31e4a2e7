package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// analyzeWorker runs AnalyzeDeviceArgs. A panic or error makes River retry
// with backoff, then discard the job after MaxAttempts; other devices'
// jobs are unaffected.
type analyzeWorker struct {
	river.WorkerDefaults[AnalyzeDeviceArgs]
	ref *handlerRef
}

// Work implements river.Worker.
func (w *analyzeWorker) Work(ctx context.Context, job *river.Job[AnalyzeDeviceArgs]) error {
	return w.ref.h.AnalyzeDevice(ctx, job.Args.TenantID, job.Args.DeviceID, job.Args.SnapshotID)
}

// rollUpWorker runs RollUpArgs.
type rollUpWorker struct {
	river.WorkerDefaults[RollUpArgs]
	ref *handlerRef
}

// Work implements river.Worker.
func (w *rollUpWorker) Work(ctx context.Context, job *river.Job[RollUpArgs]) error {
	return w.ref.h.RollUp(ctx, job.Args.TenantID, job.Args.EntityKind, job.Args.EntityID)
}

// sweepWorker runs SweepStaleArgs.
type sweepWorker struct {
	river.WorkerDefaults[SweepStaleArgs]
	ref *handlerRef
}

// Timeout implements river.Worker: the sweep walks every tenant.
func (w *sweepWorker) Timeout(*river.Job[SweepStaleArgs]) time.Duration { return SweepTimeout }

// Work implements river.Worker.
func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepStaleArgs]) error {
	return w.ref.h.SweepStale(ctx)
}

// webhookWorker runs DeliverWebhookArgs.
type webhookWorker struct {
	river.WorkerDefaults[DeliverWebhookArgs]
	ref *handlerRef
}

// Work implements river.Worker.
func (w *webhookWorker) Work(ctx context.Context, job *river.Job[DeliverWebhookArgs]) error {
	return w.ref.h.DeliverWebhook(ctx, job.Args.TenantID, job.Args.DeliveryID, job.Attempt >= job.MaxAttempts)
}
