// Package retention decides how long a tenant keeps each kind of record and
// prunes what is older: a periodic job walks every tenant and deletes, in
// small batches, snapshots, score history, notifications (with their read
// state and deliveries), webhook delivery log entries, audit events and
// spent refresh tokens past their age, and event-log groups and crashes
// past the 7-day event window. The newest snapshot of every device
// and the newest history point of every entity are always kept, so a quiet
// device keeps its inventory and its trend line.
package retention

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"
	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/devicedata"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/aicall"
	"github.com/wegweiser/wegweiser/ent/auditevent"
	"github.com/wegweiser/wegweiser/ent/bulkoperation"
	"github.com/wegweiser/wegweiser/ent/crashreport"
	"github.com/wegweiser/wegweiser/ent/eventloggroup"
	"github.com/wegweiser/wegweiser/ent/healthhistory"
	"github.com/wegweiser/wegweiser/ent/notification"
	"github.com/wegweiser/wegweiser/ent/notificationreceipt"
	"github.com/wegweiser/wegweiser/ent/refreshtoken"
	"github.com/wegweiser/wegweiser/ent/snapshot"
	"github.com/wegweiser/wegweiser/ent/tenant"
	"github.com/wegweiser/wegweiser/ent/viewer"
	"github.com/wegweiser/wegweiser/ent/webhookdelivery"
)

// Policy is how many days each kind of record is kept.
type Policy struct {
	SnapshotDays     int
	HistoryDays      int
	NotificationDays int
	DeliveryDays     int
	AuditDays        int
}

// Defaults are what a new tenant starts with (the ent schema's defaults).
var Defaults = Policy{SnapshotDays: 90, HistoryDays: 400, NotificationDays: 90, DeliveryDays: 30, AuditDays: 365}

// Minimum and Maximum bound what a tenant may choose. History keeps at least
// the 90 days the trend charts show; audit events at least 90 days.
var (
	Minimum = Policy{SnapshotDays: 7, HistoryDays: 90, NotificationDays: 7, DeliveryDays: 1, AuditDays: 90}
	Maximum = Policy{SnapshotDays: 730, HistoryDays: 1825, NotificationDays: 730, DeliveryDays: 365, AuditDays: 2555}
)

// RefreshTokenGrace is how long refresh tokens are kept after they expired
// or were revoked (long enough to recognise a replayed one in the logs).
const RefreshTokenGrace = 30 * 24 * time.Hour

// Batch is how many rows one delete statement removes, so pruning never
// holds long locks.
const Batch = 2000

// fields pairs each policy field with its API name, for validation.
func (p Policy) fields() []struct {
	name        string
	v, min, max int
} {
	return []struct {
		name        string
		v, min, max int
	}{
		{"retention.snapshot_days", p.SnapshotDays, Minimum.SnapshotDays, Maximum.SnapshotDays},
		{"retention.history_days", p.HistoryDays, Minimum.HistoryDays, Maximum.HistoryDays},
		{"retention.notification_days", p.NotificationDays, Minimum.NotificationDays, Maximum.NotificationDays},
		{"retention.webhook_delivery_days", p.DeliveryDays, Minimum.DeliveryDays, Maximum.DeliveryDays},
		{"retention.audit_days", p.AuditDays, Minimum.AuditDays, Maximum.AuditDays},
	}
}

// Validate checks every field against Minimum and Maximum.
func (p Policy) Validate() error {
	for _, f := range p.fields() {
		if f.v < f.min || f.v > f.max {
			return apperr.Invalid(f.name, "must be between %d and %d days", f.min, f.max)
		}
	}
	return nil
}

func of(t *ent.Tenant) Policy {
	return Policy{
		SnapshotDays: t.RetentionSnapshotDays, HistoryDays: t.RetentionHistoryDays,
		NotificationDays: t.RetentionNotificationDays, DeliveryDays: t.RetentionDeliveryDays, AuditDays: t.RetentionAuditDays,
	}
}

// Service reads, changes and applies retention.
type Service struct {
	st  *store.Store
	log *slog.Logger
	now func() time.Time
}

// NewService returns a retention service.
func NewService(st *store.Store, log *slog.Logger) *Service {
	return &Service{st: st, log: log, now: func() time.Time { return time.Now().UTC() }}
}

// Get returns the viewer's tenant's retention.
func (s *Service) Get(ctx context.Context) (Policy, error) {
	t, err := s.st.Ent.Tenant.Get(ctx, viewer.FromContext(ctx).TenantID)
	if err != nil {
		return Policy{}, apperr.NotFoundIf(err, "tenant")
	}
	return of(t), nil
}

// Update stores a new retention for the viewer's tenant.
func (s *Service) Update(ctx context.Context, p Policy) (Policy, error) {
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	var t *ent.Tenant
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		old, err := tx.Tenant.Get(ctx, viewer.FromContext(ctx).TenantID)
		if err != nil {
			return apperr.NotFoundIf(err, "tenant")
		}
		t, err = tx.Tenant.UpdateOneID(old.ID).
			SetRetentionSnapshotDays(p.SnapshotDays).SetRetentionHistoryDays(p.HistoryDays).
			SetRetentionNotificationDays(p.NotificationDays).SetRetentionDeliveryDays(p.DeliveryDays).
			SetRetentionAuditDays(p.AuditDays).Save(ctx)
		if err != nil {
			return apperr.NotFoundIf(err, "tenant")
		}
		if of(old) == p {
			return nil
		}
		return audit.Record(ctx, tx, audit.Event{Action: audit.RetentionChange, TargetKind: "tenant", TargetID: t.ID,
			TargetName: t.Name, Detail: changes(of(old), p)})
	})
	if err != nil {
		return Policy{}, err
	}
	return of(t), nil
}

// changes describes a retention change for the audit log, e.g.
// "snapshot_days 90 -> 30, audit_days 365 -> 400".
func changes(from, to Policy) string {
	var out []string
	for i, f := range from.fields() {
		if n := to.fields()[i].v; n != f.v {
			out = append(out, fmt.Sprintf("%s %d -> %d", strings.TrimPrefix(f.name, "retention."), f.v, n))
		}
	}
	return strings.Join(out, ", ")
}

// Counts reports how many rows one prune removed, by kind.
type Counts struct {
	Snapshots, History, Notifications, Deliveries, Audit, RefreshTokens int
	// AICalls are records of model calls, kept as long as the audit log
	// (at least 90 days, so the month a budget counts is always whole).
	AICalls int
	// BulkOperations are finished bulk operations on devices, kept as long
	// as the audit log.
	BulkOperations int
	// Events and Crashes are event-log groups and crashes past the event
	// window (devicedata.EventWindow; ingest prunes a reporting device's
	// window, this prunes the devices that went quiet).
	Events, Crashes int
}

// Total is the sum of all counts.
func (c Counts) Total() int {
	return c.Snapshots + c.History + c.Notifications + c.Deliveries + c.Audit + c.RefreshTokens + c.Events + c.Crashes + c.AICalls + c.BulkOperations
}

// Prune applies every tenant's retention once. Each tenant is pruned as
// that tenant (its own viewer), so the privacy rules keep every delete
// inside it.
func (s *Service) Prune(ctx context.Context) error {
	tenants, err := s.st.Ent.Tenant.Query().All(bypass.Allow(ctx, "retention: list every tenant"))
	if err != nil {
		return fmt.Errorf("list tenants: %w", err)
	}
	var errs []error
	for _, t := range tenants {
		c, err := s.PruneTenant(ctx, t.ID)
		if err != nil {
			errs = append(errs, fmt.Errorf("tenant %s: %w", t.ID, err))
		}
		if c.Total() > 0 {
			s.log.InfoContext(ctx, "retention pruned", "tenant_id", t.ID, "snapshots", c.Snapshots, "history", c.History,
				"notifications", c.Notifications, "deliveries", c.Deliveries, "audit", c.Audit, "refresh_tokens", c.RefreshTokens,
				"events", c.Events, "crashes", c.Crashes, "ai_calls", c.AICalls, "bulk_operations", c.BulkOperations)
		}
	}
	return errors.Join(errs...)
}

// PruneTenant applies one tenant's retention and reports what it removed.
func (s *Service) PruneTenant(ctx context.Context, tenantID uuid.UUID) (Counts, error) {
	ctx = bypass.AsTenant(ctx, tenantID, "retention: prune one tenant's expired rows")
	var c Counts
	t, err := s.st.Ent.Tenant.Query().Where(tenant.ID(tenantID)).Only(ctx)
	if err != nil {
		return c, fmt.Errorf("load tenant: %w", err)
	}
	p := of(t)
	now := s.now()
	days := func(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }

	// Snapshots past retention, except each device's newest.
	snapCut := days(p.SnapshotDays)
	if c.Snapshots, err = s.batches(ctx, func(tx *store.Tx) (int, error) {
		ids, err := tx.Snapshot.Query().Where(snapshot.ReceivedAtLT(snapCut), notNewest(snapshot.Table,
			snapshot.FieldReceivedAt, snapshot.FieldTenantID, snapshot.FieldDeviceID)).Limit(Batch).IDs(ctx)
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		return tx.Snapshot.Delete().Where(snapshot.IDIn(ids...)).Exec(ctx)
	}); err != nil {
		return c, fmt.Errorf("prune snapshots: %w", err)
	}

	// History past retention, except each entity's newest point.
	histCut := days(p.HistoryDays)
	if c.History, err = s.batches(ctx, func(tx *store.Tx) (int, error) {
		ids, err := tx.HealthHistory.Query().Where(healthhistory.ComputedAtLT(histCut), notNewest(healthhistory.Table,
			healthhistory.FieldComputedAt, healthhistory.FieldTenantID, healthhistory.FieldKind, healthhistory.FieldEntityID)).
			Limit(Batch).IDs(ctx)
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		return tx.HealthHistory.Delete().Where(healthhistory.IDIn(ids...)).Exec(ctx)
	}); err != nil {
		return c, fmt.Errorf("prune history: %w", err)
	}

	// Notifications with their read receipts and deliveries.
	noteCut := days(p.NotificationDays)
	if c.Notifications, err = s.batches(ctx, func(tx *store.Tx) (int, error) {
		ids, err := tx.Notification.Query().Where(notification.CreatedAtLT(noteCut)).Limit(Batch).IDs(ctx)
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		if _, err := tx.NotificationReceipt.Delete().Where(notificationreceipt.NotificationIDIn(ids...)).Exec(ctx); err != nil {
			return 0, err
		}
		if _, err := tx.WebhookDelivery.Delete().Where(webhookdelivery.NotificationIDIn(ids...)).Exec(ctx); err != nil {
			return 0, err
		}
		return tx.Notification.Delete().Where(notification.IDIn(ids...)).Exec(ctx)
	}); err != nil {
		return c, fmt.Errorf("prune notifications: %w", err)
	}

	deliveryCut := days(p.DeliveryDays)
	if c.Deliveries, err = s.batches(ctx, func(tx *store.Tx) (int, error) {
		ids, err := tx.WebhookDelivery.Query().Where(webhookdelivery.CreatedAtLT(deliveryCut)).Limit(Batch).IDs(ctx)
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		return tx.WebhookDelivery.Delete().Where(webhookdelivery.IDIn(ids...)).Exec(ctx)
	}); err != nil {
		return c, fmt.Errorf("prune webhook deliveries: %w", err)
	}

	auditCut := days(p.AuditDays)
	if c.Audit, err = s.batches(ctx, func(tx *store.Tx) (int, error) {
		ids, err := tx.AuditEvent.Query().Where(auditevent.CreatedAtLT(auditCut)).Limit(Batch).IDs(ctx)
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		return tx.AuditEvent.Delete().Where(auditevent.IDIn(ids...)).Exec(ctx)
	}); err != nil {
		return c, fmt.Errorf("prune audit events: %w", err)
	}
	if c.AICalls, err = s.batches(ctx, func(tx *store.Tx) (int, error) {
		ids, err := tx.AICall.Query().Where(aicall.CreatedAtLT(auditCut)).Limit(Batch).IDs(ctx)
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		return tx.AICall.Delete().Where(aicall.IDIn(ids...)).Exec(ctx)
	}); err != nil {
		return c, fmt.Errorf("prune AI call records: %w", err)
	}
	if c.BulkOperations, err = s.batches(ctx, func(tx *store.Tx) (int, error) {
		ids, err := tx.BulkOperation.Query().Where(bulkoperation.CreatedAtLT(auditCut), bulkoperation.FinishedAtNotNil()).
			Limit(Batch).IDs(ctx)
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		return tx.BulkOperation.Delete().Where(bulkoperation.IDIn(ids...)).Exec(ctx)
	}); err != nil {
		return c, fmt.Errorf("prune bulk operations: %w", err)
	}

	// The event window is the same for every tenant: what the analysis
	// judges, not a record kept for its own sake.
	eventCut := now.Add(-devicedata.EventWindow)
	if c.Events, err = s.batches(ctx, func(tx *store.Tx) (int, error) {
		ids, err := tx.EventLogGroup.Query().Where(eventloggroup.LastSeenLT(eventCut)).Limit(Batch).IDs(ctx)
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		return tx.EventLogGroup.Delete().Where(eventloggroup.IDIn(ids...)).Exec(ctx)
	}); err != nil {
		return c, fmt.Errorf("prune event logs: %w", err)
	}
	if c.Crashes, err = s.batches(ctx, func(tx *store.Tx) (int, error) {
		ids, err := tx.CrashReport.Query().Where(crashreport.CrashedAtLT(eventCut)).Limit(Batch).IDs(ctx)
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		return tx.CrashReport.Delete().Where(crashreport.IDIn(ids...)).Exec(ctx)
	}); err != nil {
		return c, fmt.Errorf("prune crashes: %w", err)
	}

	tokenCut := now.Add(-RefreshTokenGrace)
	if c.RefreshTokens, err = s.batches(ctx, func(tx *store.Tx) (int, error) {
		ids, err := tx.RefreshToken.Query().Where(refreshtoken.Or(
			refreshtoken.ExpiresAtLT(tokenCut), refreshtoken.RevokedAtLT(tokenCut),
		)).Limit(Batch).IDs(ctx)
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		return tx.RefreshToken.Delete().Where(refreshtoken.IDIn(ids...)).Exec(ctx)
	}); err != nil {
		return c, fmt.Errorf("prune refresh tokens: %w", err)
	}
	return c, nil
}

// batches runs step in its own transaction until it removes fewer than a
// full batch, and returns the total removed.
func (s *Service) batches(ctx context.Context, step func(tx *store.Tx) (int, error)) (int, error) {
	total := 0
	for {
		var n int
		err := s.st.Tx(ctx, func(tx *store.Tx) error {
			var err error
			n, err = step(tx)
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < Batch {
			return total, nil
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}

// notNewest keeps rows that are not the newest (by the time column) of
// their group (the key columns).
func notNewest(table, timeCol string, keys ...string) func(*sql.Selector) {
	return func(s *sql.Selector) {
		t := sql.Table(table).As("newer")
		preds := []*sql.Predicate{sql.ColumnsGT(t.C(timeCol), s.C(timeCol))}
		for _, k := range keys {
			preds = append(preds, sql.ColumnsEQ(t.C(k), s.C(k)))
		}
		s.Where(sql.Exists(sql.Select(t.C(keys[0])).From(t).Where(sql.And(preds...))))
	}
}
