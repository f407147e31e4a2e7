package alert

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/wegweiser/wegweiser/backend/internal/jobs"
)

// Worker returns the worker of jobs.DeliverWebhookArgs for
// jobs.Client.Register: failures are retried with River's backoff and the
// delivery is marked failed after the last attempt.
func (s *Service) Worker() jobs.Registration { return jobs.Work(&webhookWorker{s: s}) }

type webhookWorker struct {
	river.WorkerDefaults[jobs.DeliverWebhookArgs]
	s *Service
}

// Work implements river.Worker.
func (w *webhookWorker) Work(ctx context.Context, job *river.Job[jobs.DeliverWebhookArgs]) error {
	return w.s.Deliver(ctx, job.Args.TenantID, job.Args.DeliveryID, job.Attempt >= job.MaxAttempts)
}
