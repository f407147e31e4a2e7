// Package alert is the message centre and the webhooks: notifications raised
// by analysis (worse band, new critical finding, regression, silent agent),
// per-user read state, and signed webhook deliveries retried by a job.
package alert

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/pagetoken"
	"github.com/wegweiser/wegweiser/backend/internal/secrets"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/notification"
	"github.com/wegweiser/wegweiser/ent/notificationreceipt"
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
		SetTitle(clip(a.Title, 300)).SetBody(clip(a.Body, 4000)).SetEntityKind(a.EntityKind).SetEntityID(a.EntityID).
		SetNillableOrganisationID(a.OrganisationID).SetDedupeKey(clip(a.Key, 300)).SetCreatedAt(s.now()).Save(ctx)
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

// List returns the viewer's notifications, newest first, and the unread
// count. Scoped viewers see only their organisations' notifications.
func (s *Service) List(ctx context.Context, unreadOnly bool, pageSize int, token string) ([]Item, int, string, error) {
	v := viewer.FromContext(ctx)
	filter := fmt.Sprintf("unread=%t", unreadOnly)
	cur, err := pagetoken.Decode(token, filter)
	if err != nil {
		return nil, 0, "", err
	}
	read, err := s.st.Ent.NotificationReceipt.Query().Where(notificationreceipt.UserID(v.UserID)).
		Select(notificationreceipt.FieldNotificationID).Strings(ctx)
	if err != nil {
		return nil, 0, "", fmt.Errorf("load read state: %w", err)
	}
	readSet := make(map[string]bool, len(read))
	readIDs := make([]uuid.UUID, 0, len(read))
	for _, id := range read {
		readSet[id] = true
		readIDs = append(readIDs, uuid.MustParse(id))
	}
	total, err := s.st.Ent.Notification.Query().Count(ctx)
	if err != nil {
		return nil, 0, "", fmt.Errorf("count notifications: %w", err)
	}
	readVisible, err := s.st.Ent.Notification.Query().Where(notification.IDIn(readIDs...)).Count(ctx)
	if err != nil {
		return nil, 0, "", fmt.Errorf("count read notifications: %w", err)
	}
	q := s.st.Ent.Notification.Query()
	if unreadOnly && len(readIDs) > 0 {
		q = q.Where(notification.IDNotIn(readIDs...))
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
	out := make([]Item, len(rows))
	for i, r := range rows {
		out[i] = Item{Notification: r, Read: readSet[r.ID.String()]}
	}
	return out, total - readVisible, next, nil
}

// MarkRead marks notifications (or all the viewer can see) read for the
// viewer and returns the unread count left.
func (s *Service) MarkRead(ctx context.Context, ids []uuid.UUID, all bool) (int, error) {
	v := viewer.FromContext(ctx)
	if !all && len(ids) == 0 {
		return 0, apperr.Invalid("ids", "name notifications or set all")
	}
	if len(ids) > 500 {
		return 0, apperr.Invalid("ids", "at most 500 at once")
	}
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		q := tx.Notification.Query()
		if !all {
			q = q.Where(notification.IDIn(ids...))
		}
		visible, err := q.IDs(ctx)
		if err != nil {
			return fmt.Errorf("load notifications: %w", err)
		}
		if !all && len(visible) != len(ids) {
			return apperr.NotFound("notification")
		}
		bulk := make([]*ent.NotificationReceiptCreate, 0, len(visible))
		for _, id := range visible {
			bulk = append(bulk, tx.NotificationReceipt.Create().SetTenantID(v.TenantID).SetUserID(v.UserID).SetNotificationID(id))
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
	})
	if err != nil {
		return 0, err
	}
	_, unread, _, err := s.List(ctx, true, 1, "")
	return unread, err
}

// Webhooks lists the tenant's webhooks.
func (s *Service) Webhooks(ctx context.Context) ([]*ent.Webhook, error) {
	hs, err := s.st.Ent.Webhook.Query().Order(ent.Asc(webhook.FieldCreatedAt)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return hs, nil
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
