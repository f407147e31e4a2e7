package report

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/mail"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/reportschedule"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// SendHour is the hour of the day (UTC) scheduled reports are due.
const SendHour = 6

// Audited actions: reports leave the tenant by mail, so who sent or
// scheduled them to whom is recorded.
const (
	AuditScheduleCreate = "report.schedule.create"
	AuditScheduleDelete = "report.schedule.delete"
	AuditSend           = "report.send"
)

// Schedule sends one organisation's report monthly.
type Schedule struct {
	ID, OrganisationID uuid.UUID
	Recipients         []string
	DayOfMonth         int
	Format             Format
	LastSent           *time.Time
	NextSend           time.Time
	LastError          string
	Created            time.Time
}

// Recipients checks a list of email addresses (1 to MaxRecipients,
// duplicates dropped) and returns them normalised.
func Recipients(field string, in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, apperr.Invalid(field, "must name at least one email address")
	}
	if len(in) > MaxRecipients {
		return nil, apperr.Invalid(field, "must name at most %d email addresses", MaxRecipients)
	}
	out := make([]string, 0, len(in))
	for i, a := range in {
		e, err := validate.Email(fmt.Sprintf("%s[%d]", field, i), a)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

// NextSend returns when a schedule for day of the month is next due after t:
// that day at SendHour UTC, this month or the next.
func NextSend(t time.Time, day int) time.Time {
	t = t.UTC()
	at := time.Date(t.Year(), t.Month(), day, SendHour, 0, 0, 0, time.UTC)
	if !at.After(t) {
		at = time.Date(t.Year(), t.Month()+1, day, SendHour, 0, 0, 0, time.UTC)
	}
	return at
}

// CreateSchedule makes a monthly schedule for an organisation the viewer
// can see. day 0 means the 1st; format "" means PDF when the server can
// print, else HTML.
func (s *Service) CreateSchedule(ctx context.Context, orgID uuid.UUID, recipients []string, day int, format Format) (*Schedule, error) {
	// The organisation first: a caller learns nothing about the request
	// of an organisation it cannot see.
	org, err := s.st.Ent.Organisation.Get(ctx, orgID)
	if err != nil {
		return nil, apperr.NotFoundIf(err, "organisation")
	}
	recipients, err = Recipients("recipients", recipients)
	if err != nil {
		return nil, err
	}
	if day == 0 {
		day = 1
	}
	if day < 1 || day > 28 {
		return nil, apperr.Invalid("day_of_month", "must be between 1 and 28 (every month has those days)")
	}
	if format == "" {
		format = s.defaultFormat()
	}
	if format == PDF {
		if err := s.printer.Available(); err != nil {
			return nil, err
		}
	}
	v := viewer.FromContext(ctx)
	var row *ent.ReportSchedule
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		c := tx.ReportSchedule.Create().SetTenantID(v.TenantID).SetOrganisationID(orgID).SetRecipients(recipients).
			SetDayOfMonth(day).SetFormat(reportschedule.Format(format)).SetNextSendAt(NextSend(s.now(), day))
		if v.UserID != uuid.Nil {
			c.SetCreatedBy(v.UserID)
		}
		var err error
		if row, err = c.Save(ctx); err != nil {
			return fmt.Errorf("create report schedule: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: AuditScheduleCreate, TargetKind: "report_schedule", TargetID: row.ID,
			TargetName: org.Name, OrganisationID: &orgID,
			Detail: fmt.Sprintf("day=%d format=%s recipients=%s", day, format, strings.Join(recipients, ","))})
	})
	if err != nil {
		return nil, err
	}
	return toSchedule(row), nil
}

// ListSchedules lists the schedules the viewer can see, of one organisation
// when orgID is set, oldest first.
func (s *Service) ListSchedules(ctx context.Context, orgID uuid.UUID) ([]Schedule, error) {
	q := s.st.Ent.ReportSchedule.Query()
	if orgID != uuid.Nil {
		if _, err := s.st.Ent.Organisation.Get(ctx, orgID); err != nil {
			return nil, apperr.NotFoundIf(err, "organisation")
		}
		q = q.Where(reportschedule.OrganisationID(orgID))
	}
	rows, err := q.Order(ent.Asc(reportschedule.FieldCreatedAt), ent.Asc(reportschedule.FieldID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("list report schedules: %w", err)
	}
	out := make([]Schedule, len(rows))
	for i, r := range rows {
		out[i] = *toSchedule(r)
	}
	return out, nil
}

// DeleteSchedule deletes a schedule the viewer can see.
func (s *Service) DeleteSchedule(ctx context.Context, id uuid.UUID) error {
	return s.st.Tx(ctx, func(tx *store.Tx) error {
		row, err := tx.ReportSchedule.Get(ctx, id)
		if err != nil {
			return apperr.NotFoundIf(err, "report schedule")
		}
		if err := tx.ReportSchedule.DeleteOne(row).Exec(ctx); err != nil {
			return fmt.Errorf("delete report schedule: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: AuditScheduleDelete, TargetKind: "report_schedule", TargetID: id,
			OrganisationID: &row.OrganisationID, Detail: "recipients=" + strings.Join(row.Recipients, ",")})
	})
}

func toSchedule(r *ent.ReportSchedule) *Schedule {
	return &Schedule{ID: r.ID, OrganisationID: r.OrganisationID, Recipients: r.Recipients, DayOfMonth: r.DayOfMonth,
		Format: Format(r.Format), LastSent: r.LastSentAt, NextSend: r.NextSendAt, LastError: r.LastError, Created: r.CreatedAt}
}

// defaultFormat is PDF when the server can print, else HTML.
func (s *Service) defaultFormat() Format {
	if s.CanPrint() {
		return PDF
	}
	return HTML
}

// Send renders an organisation's report as the viewer and mails it to
// each recipient now (format "": PDF when the server can print).
func (s *Service) Send(ctx context.Context, orgID uuid.UUID, recipients []string, format Format, periodDays int) error {
	if _, err := s.st.Ent.Organisation.Get(ctx, orgID); err != nil {
		return apperr.NotFoundIf(err, "organisation")
	}
	recipients, err := Recipients("recipients", recipients)
	if err != nil {
		return err
	}
	if format == "" {
		format = s.defaultFormat()
	}
	doc, err := s.Render(ctx, orgID, format, periodDays)
	if err != nil {
		return err
	}
	failed := s.mailTo(ctx, recipients, doc)
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		return audit.Record(ctx, tx, audit.Event{Action: AuditSend, TargetKind: "organisation", TargetID: orgID,
			TargetName: doc.Title, OrganisationID: &orgID,
			Detail: fmt.Sprintf("format=%s recipients=%s failed=%d", format, strings.Join(recipients, ","), len(failed))})
	})
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		return apperr.Unavailable(errors.New(strings.Join(failed, "; ")), "the report could not be mailed to %d of %d recipients; check the mail settings and try again", len(failed), len(recipients))
	}
	return nil
}

// mailTo mails doc to each recipient and returns the failures, one line
// per recipient.
func (s *Service) mailTo(ctx context.Context, recipients []string, doc *Document) []string {
	var failed []string
	for _, to := range recipients {
		err := s.mail.Send(ctx, mail.Message{
			To:      to,
			Subject: "Health report: " + doc.Title,
			Body: "Attached is the health report of " + doc.Title + ".\n\n" +
				"It shows the score and its trend, the top risks by check, what changed in the period and the devices that need attention.\n",
			Attachments: []mail.Attachment{{Name: doc.FileName, ContentType: doc.ContentType, Data: doc.Content}},
		})
		if err != nil {
			s.log.WarnContext(ctx, "report mail not sent", "to", to, "err", err)
			failed = append(failed, to+": "+err.Error())
		}
	}
	return failed
}

// QueueDue queues the report of every schedule, of every tenant, that is
// due: one job per schedule and month.
func (s *Service) QueueDue(ctx context.Context) error {
	ctx = bypass.Allow(ctx, "report schedules: find the due schedules of every tenant")
	rows, err := s.st.Ent.ReportSchedule.Query().Where(reportschedule.NextSendAtLTE(s.now())).
		Select(reportschedule.FieldID, reportschedule.FieldTenantID, reportschedule.FieldNextSendAt).All(ctx)
	if err != nil {
		return fmt.Errorf("find due report schedules: %w", err)
	}
	for _, r := range rows {
		if err := s.jobs.Enqueue(ctx, jobs.ScheduledReportArgs{TenantID: r.TenantID, ScheduleID: r.ID, Period: period(r.NextSendAt)}); err != nil {
			return err
		}
	}
	return nil
}

// period is the month a due time belongs to.
func period(t time.Time) string { return t.UTC().Format("2006-01") }

// SendScheduled sends a schedule's report for one month, as the schedule's
// tenant: schedules belong to the tenant, so a schedule keeps going when
// the member who made it leaves (owners and admins see and delete every
// schedule). The month is claimed on the schedule before anything is
// mailed, so a retry or a second job never sends it twice; when rendering
// or every mail fails the claim is released and the error returned, so
// River retries, and after the last attempt the schedule moves on to the
// next month with the error kept.
func (s *Service) SendScheduled(ctx context.Context, tenantID, scheduleID uuid.UUID, month string, lastAttempt bool) error {
	ctx = bypass.AsTenant(ctx, tenantID, "report schedules: send the tenant's scheduled report")
	row, err := s.st.Ent.ReportSchedule.Get(ctx, scheduleID)
	if ent.IsNotFound(err) {
		return nil // deleted since
	}
	if err != nil {
		return fmt.Errorf("load report schedule: %w", err)
	}
	now := s.now()
	previous := row.LastPeriod
	n, err := s.st.Ent.ReportSchedule.Update().Where(reportschedule.ID(scheduleID), reportschedule.LastPeriodNEQ(month)).
		SetLastPeriod(month).SetLastSentAt(now).SetNextSendAt(NextSend(now, row.DayOfMonth)).SetLastError("").Save(ctx)
	if err != nil {
		return fmt.Errorf("claim report schedule: %w", err)
	}
	if n == 0 {
		return nil // this month went out already
	}
	release := func(cause error) error {
		u := s.st.Ent.ReportSchedule.UpdateOneID(scheduleID).SetLastError(validate.Clip(cause.Error(), 1000))
		if !lastAttempt {
			// Due again, for River's retry; the month is not taken.
			u.SetLastPeriod(previous).SetNextSendAt(row.NextSendAt)
			if row.LastSentAt != nil {
				u.SetLastSentAt(*row.LastSentAt)
			} else {
				u.ClearLastSentAt()
			}
		}
		if err := u.Exec(ctx); err != nil && !ent.IsNotFound(err) {
			return errors.Join(cause, fmt.Errorf("record report schedule error: %w", err))
		}
		return cause
	}
	doc, err := s.Render(ctx, row.OrganisationID, Format(row.Format), DefaultPeriodDays)
	if err != nil {
		return release(fmt.Errorf("render report: %w", err))
	}
	failed := s.mailTo(ctx, row.Recipients, doc)
	switch {
	case len(failed) == len(row.Recipients):
		return release(fmt.Errorf("mail report: %s", strings.Join(failed, "; ")))
	case len(failed) > 0:
		// Sent to some: keep the month (a retry would send it twice to
		// the others) and say who did not get it.
		msg := validate.Clip("not delivered to "+strings.Join(failed, "; "), 1000)
		if err := s.st.Ent.ReportSchedule.UpdateOneID(scheduleID).SetLastError(msg).Exec(ctx); err != nil && !ent.IsNotFound(err) {
			return fmt.Errorf("record report schedule error: %w", err)
		}
	}
	return nil
}

// Workers returns the workers of the report jobs.
func (s *Service) Workers() []jobs.Registration {
	return []jobs.Registration{jobs.Work(&dueWorker{s: s}), jobs.Work(&sendWorker{s: s})}
}

type dueWorker struct {
	river.WorkerDefaults[jobs.DueReportsArgs]
	s *Service
}

// Work implements river.Worker.
func (w *dueWorker) Work(ctx context.Context, _ *river.Job[jobs.DueReportsArgs]) error {
	return w.s.QueueDue(ctx)
}

type sendWorker struct {
	river.WorkerDefaults[jobs.ScheduledReportArgs]
	s *Service
}

// Timeout implements river.Worker: printing takes a while.
func (w *sendWorker) Timeout(*river.Job[jobs.ScheduledReportArgs]) time.Duration {
	return jobs.ReportTimeout
}

// Work implements river.Worker.
func (w *sendWorker) Work(ctx context.Context, job *river.Job[jobs.ScheduledReportArgs]) error {
	return w.s.SendScheduled(ctx, job.Args.TenantID, job.Args.ScheduleID, job.Args.Period, job.Attempt >= job.MaxAttempts)
}
