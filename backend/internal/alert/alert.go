// Package alert is the message centre and the webhooks: notifications raised
// by analysis (worse band, new critical finding, regression, silent agent),
// per-user read state, and signed webhook deliveries retried by a job.
package alert

import (
	"bytes"
	"context"
	stdsql "database/sql"
	"errors"
	"fmt"
	"time"

	"entgo.io/ent/dialect/sql"
	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/netguard"
	"github.com/wegweiser/wegweiser/backend/internal/pagetoken"
	"github.com/wegweiser/wegweiser/backend/internal/secrets"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/notification"
	"github.com/wegweiser/wegweiser/ent/notificationreadmark"
	"github.com/wegweiser/wegweiser/ent/notificationreceipt"
	"github.com/wegweiser/wegweiser/ent/predicate"
	"github.com/wegweiser/wegweiser/ent/viewer"
	"github.com/wegweiser/wegweiser/ent/webhook"
)

// Kinds of notification.
const (
	KindBandWorse       = "band_worse"
	KindCriticalFinding = "critical_finding"
	KindRegression      = "regression"
	KindAgentSilent     = "agent_silent"
	KindTest            = "test"
)

// Kinds lists the kinds a webhook can subscribe to.
var Kinds = []string{KindBandWorse, KindCriticalFinding, KindRegression, KindAgentSilent, KindTest}

// Service implements notifications and webhooks.
type Service struct {
	st           *store.Store
	jobs         *jobs.Client
	box          *secrets.Box
	allowPrivate bool
	now          func() time.Time
	client       *httpClient
	resolver     netguard.Resolver // nil: net.DefaultResolver
}

// NewService returns an alert service. allowPrivate lets webhooks point at
// loopback and private addresses (tests, or an operator's choice).
func NewService(st *store.Store, jc *jobs.Client, box *secrets.Box, allowPrivate bool) *Service {
	return &Service{st: st, jobs: jc, box: box, allowPrivate: allowPrivate,
		now: func() time.Time { return time.Now().UTC() }, client: newHTTPClient(allowPrivate)}
}

// Alert describes a notification to raise.
type Alert struct {
	Kind, Severity, Title, Body string
	EntityKind                  string
	EntityID                    uuid.UUID
	OrganisationID              *uuid.UUID
	// Key makes the alert unique: the same key is raised once.
	Key string
}

// Raise stores a notification (once per key) in tx and queues its webhook
// deliveries. It reports whether the notification is new.
func (s *Service) Raise(ctx context.Context, tx *store.Tx, a Alert) (bool, error) {
	tenantID := viewer.FromContext(ctx).TenantID
	exists, err := tx.Notification.Query().Where(notification.DedupeKey(a.Key)).Exist(ctx)
	if err != nil {
		return false, fmt.Errorf("check notification: %w", err)
	}
	if exists {
		return false, nil
	}
	n, err := tx.Notification.Create().SetTenantID(tenantID).SetKind(a.Kind).SetSeverity(a.Severity).
		SetTitle(validate.Clip(a.Title, 300)).SetBody(validate.Clip(a.Body, 4000)).SetEntityKind(a.EntityKind).SetEntityID(a.EntityID).
		SetNillableOrganisationID(a.OrganisationID).SetDedupeKey(validate.Clip(a.Key, 300)).SetCreatedAt(s.now()).Save(ctx)
	if err != nil {
		return false, fmt.Errorf("store notification: %w", err)
	}
	hooks, err := tx.Webhook.Query().All(ctx)
	if err != nil {
		return false, fmt.Errorf("list webhooks: %w", err)
	}
	for _, h := range hooks {
		if !wants(h, a.Kind) {
			continue
		}
		if err := s.queue(ctx, tx, h.ID, n.ID); err != nil {
			return false, err
		}
	}
	return true, nil
}

func wants(h *ent.Webhook, kind string) bool {
	if len(h.Kinds) == 0 {
		return kind != KindTest
	}
	for _, k := range h.Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

func (s *Service) queue(ctx context.Context, tx *store.Tx, hookID, notificationID uuid.UUID) error {
	d, err := tx.WebhookDelivery.Create().SetTenantID(viewer.FromContext(ctx).TenantID).
		SetWebhookID(hookID).SetNotificationID(notificationID).Save(ctx)
	if err != nil {
		return fmt.Errorf("queue delivery: %w", err)
	}
	if _, err := s.jobs.EnqueueTx(ctx, tx, jobs.DeliverWebhookArgs{TenantID: d.TenantID, DeliveryID: d.ID}); err != nil {
		return err
	}
	return nil
}

// Item is a notification with its read state for the viewer.
type Item struct {
	*ent.Notification
	Read bool
}

// Read state is kept per tenant and user as a watermark (NotificationReadMark:
// every notification at or before it in (created_at, id) order is read) plus
// receipts for single notifications newer than it. "Read" is decided in SQL
// (a comparison with the watermark or an EXISTS on the receipts), so no list
// of ids ever travels between the database and Go: listing, counting and
// marking cost the same for the ten-thousandth notification as for the first.

// readMark returns the viewer's watermark, or nil when there is none.
func readMark(ctx context.Context, c *ent.Client, userID uuid.UUID) (*ent.NotificationReadMark, error) {
	m, err := c.NotificationReadMark.Query().Where(notificationreadmark.UserID(userID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load read watermark: %w", err)
	}
	return m, nil
}

// atOrBefore is "(created_at, id) <= (t, id)" on the notifications table.
func atOrBefore(s *sql.Selector, t time.Time, id uuid.UUID) *sql.Predicate {
	at := s.C(notification.FieldCreatedAt)
	return sql.Or(sql.LT(at, t), sql.And(sql.EQ(at, t), sql.LTE(s.C(notification.FieldID), id)))
}

// readPredicate matches the notifications the viewer has read, or with
// unread set the ones not read: newer than the watermark (a range on the
// (tenant_id, created_at) index, so the cost follows the unread ones, not
// all) and without a receipt.
func readPredicate(v *viewer.Viewer, m *ent.NotificationReadMark, unread bool) predicate.Notification {
	return func(s *sql.Selector) {
		r := sql.Table(notificationreceipt.Table).As("nr")
		receipt := sql.Exists(sql.Select(r.C(notificationreceipt.FieldID)).From(r).Where(sql.And(
			sql.EQ(r.C(notificationreceipt.FieldTenantID), v.TenantID),
			sql.EQ(r.C(notificationreceipt.FieldUserID), v.UserID),
			sql.ColumnsEQ(r.C(notificationreceipt.FieldNotificationID), s.C(notification.FieldID)),
		)))
		switch {
		case unread && m != nil:
			at := s.C(notification.FieldCreatedAt)
			s.Where(sql.And(
				sql.GTE(at, m.ReadUpToAt),
				sql.Or(sql.GT(at, m.ReadUpToAt), sql.GT(s.C(notification.FieldID), m.ReadUpToID)),
				sql.Not(receipt),
			))
		case unread:
			s.Where(sql.Not(receipt))
		case m != nil:
			s.Where(sql.Or(atOrBefore(s, m.ReadUpToAt, m.ReadUpToID), receipt))
		default:
			s.Where(receipt)
		}
	}
}

// unreadCount is one COUNT of the viewer's visible unread notifications.
func unreadCount(ctx context.Context, c *ent.Client, v *viewer.Viewer, m *ent.NotificationReadMark) (int, error) {
	n, err := c.Notification.Query().Where(readPredicate(v, m, true)).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count unread notifications: %w", err)
	}
	return n, nil
}

// List returns the viewer's notifications, newest first, and the unread
// count. Scoped viewers see only their organisations' notifications.
func (s *Service) List(ctx context.Context, unreadOnly bool, pageSize int, token string) ([]Item, int, string, error) {
	v := viewer.FromContext(ctx)
	filter := fmt.Sprintf("unread=%t", unreadOnly)
	cur, err := pagetoken.Decode(token, filter)
	if err != nil {
		return nil, 0, "", err
	}
	c := s.st.Ent
	m, err := readMark(ctx, c, v.UserID)
	if err != nil {
		return nil, 0, "", err
	}
	unread, err := unreadCount(ctx, c, v, m)
	if err != nil {
		return nil, 0, "", err
	}
	q := c.Notification.Query()
	if unreadOnly {
		q = q.Where(readPredicate(v, m, true))
	}
	if cur != nil {
		t, err1 := time.Parse(time.RFC3339Nano, cur.Key)
		id, err2 := uuid.Parse(cur.ID)
		if err1 != nil || err2 != nil {
			return nil, 0, "", apperr.Invalid("page_token", "is malformed")
		}
		q = q.Where(pagetoken.After(notification.FieldCreatedAt, notification.FieldID, t, id, true))
	}
	rows, err := q.Order(ent.Desc(notification.FieldCreatedAt), ent.Desc(notification.FieldID)).Limit(pageSize + 1).All(ctx)
	if err != nil {
		return nil, 0, "", fmt.Errorf("list notifications: %w", err)
	}
	next := ""
	if len(rows) > pageSize {
		rows = rows[:pageSize]
		last := rows[len(rows)-1]
		next = pagetoken.Encode(pagetoken.Cursor{Key: last.CreatedAt.UTC().Format(time.RFC3339Nano), ID: last.ID.String(), Filter: filter})
	}
	// The read flags of this page (at most pageSize ids), decided in SQL.
	read := map[uuid.UUID]bool{}
	if !unreadOnly && len(rows) > 0 {
		ids := make([]uuid.UUID, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		readIDs, err := c.Notification.Query().Where(notification.IDIn(ids...), readPredicate(v, m, false)).IDs(ctx)
		if err != nil {
			return nil, 0, "", fmt.Errorf("load read state: %w", err)
		}
		for _, id := range readIDs {
			read[id] = true
		}
	}
	out := make([]Item, len(rows))
	for i, r := range rows {
		out[i] = Item{Notification: r, Read: read[r.ID]}
	}
	return out, unread, next, nil
}

// MaxMarkRead is how many notifications one MarkRead call may name.
const MaxMarkRead = 500

// MarkRead marks notifications (or all the viewer can see) read for the
// viewer and returns the unread count left. Marking all moves the viewer's
// watermark to the newest visible notification (never backwards) and drops
// the receipts it now covers; naming notifications stores receipts for those
// newer than the watermark.
func (s *Service) MarkRead(ctx context.Context, ids []uuid.UUID, all bool) (int, error) {
	v := viewer.FromContext(ctx)
	if !all && len(ids) == 0 {
		return 0, apperr.Invalid("ids", "name notifications or set all")
	}
	if len(ids) > MaxMarkRead {
		return 0, apperr.Invalid("ids", "at most %d at once", MaxMarkRead)
	}
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		if all {
			return markAllRead(ctx, tx, v)
		}
		return markRead(ctx, tx, v, ids)
	})
	if err != nil {
		return 0, err
	}
	m, err := readMark(ctx, s.st.Ent, v.UserID)
	if err != nil {
		return 0, err
	}
	return unreadCount(ctx, s.st.Ent, v, m)
}

func markAllRead(ctx context.Context, tx *store.Tx, v *viewer.Viewer) error {
	newest, err := tx.Notification.Query().
		Order(ent.Desc(notification.FieldCreatedAt), ent.Desc(notification.FieldID)).First(ctx)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find newest notification: %w", err)
	}
	// One upsert that only ever moves the watermark forward.
	t := sql.Table(notificationreadmark.Table)
	at := t.C(notificationreadmark.FieldReadUpToAt)
	behind := sql.Or(sql.LT(at, newest.CreatedAt),
		sql.And(sql.EQ(at, newest.CreatedAt), sql.LT(t.C(notificationreadmark.FieldReadUpToID), newest.ID)))
	err = tx.NotificationReadMark.Create().SetTenantID(v.TenantID).SetUserID(v.UserID).
		SetReadUpToAt(newest.CreatedAt).SetReadUpToID(newest.ID).
		OnConflict(
			sql.ConflictColumns(notificationreadmark.FieldTenantID, notificationreadmark.FieldUserID),
			sql.UpdateWhere(behind),
		).
		UpdateReadUpToAt().UpdateReadUpToID().Exec(ctx)
	if err != nil && !errors.Is(err, stdsql.ErrNoRows) {
		return fmt.Errorf("move read watermark: %w", err)
	}
	// Receipts the watermark now covers are redundant.
	_, err = tx.NotificationReceipt.Delete().Where(notificationreceipt.UserID(v.UserID), func(s *sql.Selector) {
		n := sql.Table(notification.Table).As("n")
		covered := sql.Select(n.C(notification.FieldID)).From(n)
		covered.Where(sql.And(sql.EQ(n.C(notification.FieldTenantID), v.TenantID), atOrBefore(covered, newest.CreatedAt, newest.ID)))
		s.Where(sql.In(s.C(notificationreceipt.FieldNotificationID), covered))
	}).Exec(ctx)
	if err != nil {
		return fmt.Errorf("drop covered receipts: %w", err)
	}
	return nil
}

func markRead(ctx context.Context, tx *store.Tx, v *viewer.Viewer, ids []uuid.UUID) error {
	visible, err := tx.Notification.Query().Where(notification.IDIn(ids...)).
		Select(notification.FieldID, notification.FieldCreatedAt).All(ctx)
	if err != nil {
		return fmt.Errorf("load notifications: %w", err)
	}
	if len(visible) != len(ids) {
		return apperr.NotFound("notification")
	}
	m, err := readMark(ctx, tx.Client, v.UserID)
	if err != nil {
		return err
	}
	bulk := make([]*ent.NotificationReceiptCreate, 0, len(visible))
	for _, n := range visible {
		if m != nil && (n.CreatedAt.Before(m.ReadUpToAt) || n.CreatedAt.Equal(m.ReadUpToAt) && bytes.Compare(n.ID[:], m.ReadUpToID[:]) <= 0) {
			continue // already read by the watermark
		}
		bulk = append(bulk, tx.NotificationReceipt.Create().SetTenantID(v.TenantID).SetUserID(v.UserID).SetNotificationID(n.ID))
	}
	for start := 0; start < len(bulk); start += 200 {
		end := min(start+200, len(bulk))
		err := tx.NotificationReceipt.CreateBulk(bulk[start:end]...).
			OnConflictColumns(notificationreceipt.FieldTenantID, notificationreceipt.FieldUserID, notificationreceipt.FieldNotificationID).
			DoNothing().Exec(ctx)
		if err != nil {
			return fmt.Errorf("mark read: %w", err)
		}
	}
	return nil
}

// Webhooks lists the tenant's webhooks.
func (s *Service) Webhooks(ctx context.Context) ([]*ent.Webhook, error) {
	hs, err := s.st.Ent.Webhook.Query().Order(ent.Asc(webhook.FieldCreatedAt)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return hs, nil
}
