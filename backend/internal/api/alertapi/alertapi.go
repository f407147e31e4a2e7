// Package alertapi serves wegweiser.v1.AlertService.
package alertapi

import (
	"context"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/alert"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
)

// Service implements AlertService.
type Service struct{ svc *alert.Service }

var _ wegweiserv1connect.AlertServiceHandler = (*Service)(nil)

// New returns the AlertService handler.
func New(svc *alert.Service) *Service { return &Service{svc: svc} }

var entityKinds = map[string]v1.EntityKind{
	"device": v1.EntityKind_ENTITY_KIND_DEVICE, "group": v1.EntityKind_ENTITY_KIND_GROUP,
	"organisation": v1.EntityKind_ENTITY_KIND_ORGANISATION, "tenant": v1.EntityKind_ENTITY_KIND_TENANT,
}

// ListNotifications implements AlertService.ListNotifications.
func (s *Service) ListNotifications(ctx context.Context, req *v1.ListNotificationsRequest) (*v1.ListNotificationsResponse, error) {
	size, err := validate.Limit("page_size", req.GetPageSize(), 50, 200)
	if err != nil {
		return nil, err
	}
	items, unread, next, err := s.svc.List(ctx, req.GetUnreadOnly(), size, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &v1.ListNotificationsResponse{UnreadCount: int32(unread), NextPageToken: next}
	for _, n := range items {
		out.Notifications = append(out.Notifications, &v1.Notification{
			Id: n.ID.String(), Kind: n.Kind, Severity: n.Severity, Title: n.Title, Body: n.Body,
			Entity:     &v1.EntityRef{Kind: entityKinds[n.EntityKind], Id: n.EntityID.String()},
			CreateTime: pbconv.Time(n.CreatedAt), Read: n.Read,
		})
	}
	return out, nil
}

// MarkNotificationsRead implements AlertService.MarkNotificationsRead.
func (s *Service) MarkNotificationsRead(ctx context.Context, req *v1.MarkNotificationsReadRequest) (*v1.MarkNotificationsReadResponse, error) {
	if len(req.GetIds()) > alert.MaxMarkRead {
		return nil, apperr.Invalid("ids", "at most %d at once", alert.MaxMarkRead)
	}
	ids, err := validate.IDs("ids", req.GetIds())
	if err != nil {
		return nil, err
	}
	n, err := s.svc.MarkRead(ctx, ids, req.GetAll())
	if err != nil {
		return nil, err
	}
	return &v1.MarkNotificationsReadResponse{UnreadCount: int32(n)}, nil
}

func hook(h *ent.Webhook) *v1.Webhook {
	return &v1.Webhook{Id: h.ID.String(), Url: h.URL, Description: h.Description, Kinds: h.Kinds, CreateTime: pbconv.Time(h.CreatedAt)}
}

func delivery(d *ent.WebhookDelivery) *v1.WebhookDelivery {
	return &v1.WebhookDelivery{
		Id: d.ID.String(), WebhookId: d.WebhookID.String(), NotificationId: d.NotificationID.String(), Status: string(d.Status),
		Attempts: int32(d.Attempts), ResponseStatus: int32(d.ResponseStatus), Error: d.Error,
		CreateTime: pbconv.Time(d.CreatedAt), DeliverTime: pbconv.TimePtr(d.DeliveredAt),
	}
}

// CreateWebhook implements AlertService.CreateWebhook.
func (s *Service) CreateWebhook(ctx context.Context, req *v1.CreateWebhookRequest) (*v1.CreateWebhookResponse, error) {
	h, secret, err := s.svc.CreateWebhook(ctx, req.GetUrl(), req.GetDescription(), req.GetKinds())
	if err != nil {
		return nil, err
	}
	return &v1.CreateWebhookResponse{Webhook: hook(h), Secret: secret}, nil
}

// ListWebhooks implements AlertService.ListWebhooks.
func (s *Service) ListWebhooks(ctx context.Context, _ *v1.ListWebhooksRequest) (*v1.ListWebhooksResponse, error) {
	hs, err := s.svc.Webhooks(ctx)
	if err != nil {
		return nil, err
	}
	out := &v1.ListWebhooksResponse{}
	for _, h := range hs {
		out.Webhooks = append(out.Webhooks, hook(h))
	}
	return out, nil
}

// DeleteWebhook implements AlertService.DeleteWebhook.
func (s *Service) DeleteWebhook(ctx context.Context, req *v1.DeleteWebhookRequest) (*v1.DeleteWebhookResponse, error) {
	id, err := validate.ID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	if err := s.svc.DeleteWebhook(ctx, id); err != nil {
		return nil, err
	}
	return &v1.DeleteWebhookResponse{}, nil
}

// SendTestWebhook implements AlertService.SendTestWebhook.
func (s *Service) SendTestWebhook(ctx context.Context, req *v1.SendTestWebhookRequest) (*v1.SendTestWebhookResponse, error) {
	id, err := validate.ID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	d, err := s.svc.SendTest(ctx, id)
	if err != nil {
		return nil, err
	}
	return &v1.SendTestWebhookResponse{Delivery: delivery(d)}, nil
}

// ListWebhookDeliveries implements AlertService.ListWebhookDeliveries.
func (s *Service) ListWebhookDeliveries(ctx context.Context, req *v1.ListWebhookDeliveriesRequest) (*v1.ListWebhookDeliveriesResponse, error) {
	id, err := validate.ID("webhook_id", req.GetWebhookId())
	if err != nil {
		return nil, err
	}
	size, err := validate.Limit("page_size", req.GetPageSize(), 50, 200)
	if err != nil {
		return nil, err
	}
	ds, err := s.svc.Deliveries(ctx, id, size)
	if err != nil {
		return nil, err
	}
	out := &v1.ListWebhookDeliveriesResponse{}
	for _, d := range ds {
		out.Deliveries = append(out.Deliveries, delivery(d))
	}
	return out, nil
}
