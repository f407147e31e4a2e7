package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/viewer"
	"github.com/wegweiser/wegweiser/ent/webhookdelivery"
)

// CreateWebhook registers an endpoint and returns it with its signing
// secret (shown once; stored encrypted).
func (s *Service) CreateWebhook(ctx context.Context, rawURL, description string, kinds []string) (*ent.Webhook, string, error) {
	u, err := s.checkURL(rawURL)
	if err != nil {
		return nil, "", err
	}
	if len([]rune(description)) > 200 {
		return nil, "", apperr.Invalid("description", "must be at most 200 characters")
	}
	for _, k := range kinds {
		if !slices.Contains(Kinds, k) {
			return nil, "", apperr.Invalid("kinds", "unknown kind %q; use %s", k, strings.Join(Kinds, ", "))
		}
	}
	secret, _, err := identity.NewOpaqueToken("whsec_")
	if err != nil {
		return nil, "", err
	}
	id := uuid.Must(uuid.NewV7())
	sealed, err := s.box.Seal([]byte(secret), id[:])
	if err != nil {
		return nil, "", err
	}
	h, err := s.st.Ent.Webhook.Create().SetID(id).SetTenantID(viewer.FromContext(ctx).TenantID).SetURL(u.String()).
		SetDescription(strings.TrimSpace(description)).SetKinds(append([]string{}, kinds...)).SetSecretEncrypted(sealed).Save(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("store webhook: %w", err)
	}
	return h, secret, nil
}

// checkURL accepts https URLs (and http for allowed private hosts) whose
// host does not resolve to loopback, link-local or private addresses unless
// the operator allows it.
func (s *Service) checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || len(raw) > 2000 {
		return nil, apperr.Invalid("url", "must be an absolute https:// URL without credentials")
	}
	if u.Scheme == "http" && !s.allowPrivate {
		return nil, apperr.Invalid("url", "must use https")
	}
	if s.allowPrivate {
		return u, nil
	}
	ips, err := net.LookupIP(u.Hostname())
	if err != nil {
		return nil, apperr.Invalid("url", "host %q does not resolve", u.Hostname())
	}
	for _, ip := range ips {
		if forbidden(ip) {
			return nil, apperr.Invalid("url", "host %q is a loopback, link-local or private address; an operator must allow those", u.Hostname())
		}
	}
	return u, nil
}

func forbidden(ip net.IP) bool {
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast()
}

// DeleteWebhook removes a webhook.
func (s *Service) DeleteWebhook(ctx context.Context, id uuid.UUID) error {
	err := s.st.Ent.Webhook.DeleteOneID(id).Exec(ctx)
	if ent.IsNotFound(err) {
		return apperr.NotFound("webhook")
	}
	return err
}

// SendTest raises a test notification to one webhook.
func (s *Service) SendTest(ctx context.Context, id uuid.UUID) (*ent.WebhookDelivery, error) {
	h, err := s.st.Ent.Webhook.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("webhook")
	}
	if err != nil {
		return nil, err
	}
	var d *ent.WebhookDelivery
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		v := viewer.FromContext(ctx)
		n, err := tx.Notification.Create().SetTenantID(v.TenantID).SetKind(KindTest).SetSeverity("info").
			SetTitle("Test notification from Wegweiser").SetBody("If you can read this, the webhook works.").
			SetEntityKind("tenant").SetEntityID(v.TenantID).SetDedupeKey("test:" + uuid.NewString()).SetCreatedAt(s.now()).Save(ctx)
		if err != nil {
			return fmt.Errorf("store test notification: %w", err)
		}
		if err := s.queue(ctx, tx, h.ID, n.ID); err != nil {
			return err
		}
		d, err = tx.WebhookDelivery.Query().Where(webhookdelivery.WebhookID(h.ID), webhookdelivery.NotificationID(n.ID)).Only(ctx)
		return err
	})
	return d, err
}

// Deliveries lists a webhook's deliveries, newest first.
func (s *Service) Deliveries(ctx context.Context, webhookID uuid.UUID, limit int) ([]*ent.WebhookDelivery, error) {
	if _, err := s.st.Ent.Webhook.Get(ctx, webhookID); err != nil {
		if ent.IsNotFound(err) {
			return nil, apperr.NotFound("webhook")
		}
		return nil, err
	}
	return s.st.Ent.WebhookDelivery.Query().Where(webhookdelivery.WebhookID(webhookID)).
		Order(ent.Desc(webhookdelivery.FieldCreatedAt), ent.Desc(webhookdelivery.FieldID)).Limit(limit).All(ctx)
}

// Payload is the JSON body of a webhook delivery.
type Payload struct {
	ID             string    `json:"id"`
	TenantID       string    `json:"tenant_id"`
	Kind           string    `json:"kind"`
	Severity       string    `json:"severity"`
	Title          string    `json:"title"`
	Body           string    `json:"body"`
	EntityKind     string    `json:"entity_kind"`
	EntityID       string    `json:"entity_id"`
	OrganisationID string    `json:"organisation_id,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// Sign returns the Wegweiser-Signature header value for a body sent at ts.
func Sign(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.", ts)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Deliver sends one delivery. It returns an error when the attempt failed
// and should be retried; on the last attempt the delivery is marked failed.
func (s *Service) Deliver(ctx context.Context, tenantID, deliveryID uuid.UUID, lastAttempt bool) error {
	ctx = viewer.NewContext(ctx, viewer.System(tenantID))
	d, err := s.st.Ent.WebhookDelivery.Get(ctx, deliveryID)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load delivery: %w", err)
	}
	if d.Status != webhookdelivery.StatusPending {
		return nil
	}
	h, err := s.st.Ent.Webhook.Get(ctx, d.WebhookID)
	if ent.IsNotFound(err) {
		return s.st.Ent.WebhookDelivery.UpdateOneID(d.ID).SetStatus(webhookdelivery.StatusFailed).SetError("webhook deleted").Exec(ctx)
	}
	if err != nil {
		return fmt.Errorf("load webhook: %w", err)
	}
	n, err := s.st.Ent.Notification.Get(ctx, d.NotificationID)
	if err != nil {
		return fmt.Errorf("load notification: %w", err)
	}
	secret, err := s.box.Open(h.SecretEncrypted, h.ID[:])
	if err != nil {
		return err
	}
	p := Payload{ID: n.ID.String(), TenantID: tenantID.String(), Kind: n.Kind, Severity: n.Severity, Title: n.Title, Body: n.Body,
		EntityKind: n.EntityKind, EntityID: n.EntityID.String(), CreatedAt: n.CreatedAt}
	if n.OrganisationID != nil {
		p.OrganisationID = n.OrganisationID.String()
	}
	body, _ := json.Marshal(p)
	ts := s.now().Unix()
	status, sendErr := s.client.post(ctx, h.URL, body, map[string]string{
		"Content-Type":        "application/json",
		"User-Agent":          "Wegweiser-Webhook/1",
		"Wegweiser-Event":     n.Kind,
		"Wegweiser-Delivery":  d.ID.String(),
		"Wegweiser-Timestamp": strconv.FormatInt(ts, 10),
		"Wegweiser-Signature": Sign(string(secret), ts, body),
	})
	upd := s.st.Ent.WebhookDelivery.UpdateOneID(d.ID).AddAttempts(1).SetResponseStatus(status)
	if sendErr == nil {
		now := s.now()
		return upd.SetStatus(webhookdelivery.StatusDelivered).SetError("").SetDeliveredAt(now).Exec(ctx)
	}
	upd.SetError(clip(sendErr.Error(), 1000))
	if lastAttempt {
		upd.SetStatus(webhookdelivery.StatusFailed)
	}
	if err := upd.Exec(ctx); err != nil {
		return fmt.Errorf("record delivery: %w", err)
	}
	return sendErr
}

// httpClient posts webhooks, refusing private addresses at connect time
// (so DNS cannot be used to point a checked host at one later).
type httpClient struct{ c *http.Client }

func newHTTPClient(allowPrivate bool) *httpClient {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if !allowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip != nil && forbidden(ip) {
				return errors.New("refusing to connect to a private address")
			}
			return nil
		}
	}
	return &httpClient{c: &http.Client{
		Timeout:       10 * time.Second,
		Transport:     &http.Transport{DialContext: dialer.DialContext, TLSHandshakeTimeout: 5 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (h *httpClient) post(ctx context.Context, url string, body []byte, headers map[string]string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := h.c.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, fmt.Errorf("endpoint answered HTTP %d", res.StatusCode)
	}
	return res.StatusCode, nil
}
