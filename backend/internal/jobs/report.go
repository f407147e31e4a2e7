package jobs

import (
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
)

// DueReportsArgs is the periodic job that queues the monthly reports whose
// schedule is due (see the report package).
type DueReportsArgs struct{}

// Kind implements river.JobArgs.
func (DueReportsArgs) Kind() string { return "queue_due_reports" }

// DueReportsInterval is how often due report schedules are looked for;
// schedules are due at 06:00 UTC, so a report goes out within this of it.
const DueReportsInterval = 15 * time.Minute

// ScheduledReportArgs sends one schedule's report for one month. It is
// unique per schedule and month while River keeps the job, and the worker
// claims the month on the schedule before mailing, so a month is sent at
// most once however often it is queued or retried.
type ScheduledReportArgs struct {
	// TenantID is the schedule's tenant; the worker acts as that tenant only.
	TenantID uuid.UUID `json:"tenant_id"`
	// ScheduleID is the schedule.
	ScheduleID uuid.UUID `json:"schedule_id"`
	// Period is the month the report is sent for, e.g. "2026-12".
	Period string `json:"period"`
}

// Kind implements river.JobArgs.
func (ScheduledReportArgs) Kind() string { return "send_scheduled_report" }

// ReportTimeout bounds one scheduled report (rendering, printing, mailing).
const ReportTimeout = 2 * time.Minute

// InsertOpts implements river.JobArgsWithInsertOpts.
func (ScheduledReportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: "reports", MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}
