package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
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
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/netguard"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/viewer"
	"github.com/wegweiser/wegweiser/ent/webhookdelivery"
)

// CreateWebhook registers an endpoint and returns it with its signing
// secret (shown once; stored encrypted).
func (s *Service) CreateWebhook(ctx context.Context, rawURL, description string, kinds []string) (*ent.Webhook, string, error) {
	u, err := s.checkURL(ctx, rawURL)
	if err != nil {
		return nil, "", err
	}
	description = strings.TrimSpace(description)
	// The column's limit counts bytes.
	if len(description) > maxWebhookDescription || !utf8.ValidString(description) {
		return nil, "", apperr.Invalid("description", "must be valid UTF-8 of at most %d bytes", maxWebhookDescription)
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
		SetDescription(description).SetKinds(append([]string{}, kinds...)).SetSecretEncrypted(sealed).Save(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("store webhook: %w", err)
	}
	return h, secret, nil
}

// errBadURL is the one answer for a webhook URL that is malformed, not
// https, or whose host does not resolve or resolves to a loopback, private
// or reserved address: the message must not tell an admin which, or it
// would reveal whether an internal name exists.
func errBadURL() error {
	return apperr.Invalid("url", "must be an https:// URL without credentials whose host resolves to public addresses only (an operator can allow private ones)")
}

// checkURL accepts https URLs (and http for allowed private hosts) whose
// host resolves only to public addresses unless the operator allows
// private ones.
func (s *Service) checkURL(ctx context.Context, raw string) (*url.URL, error) {
	if len(raw) > 2000 {
		return nil, apperr.Invalid("url", "must be at most 2000 characters")
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil {
		return nil, apperr.Invalid("url", "must be an absolute https:// URL without credentials")
	}
	if u.Scheme == "http" && !s.allowPrivate {
		return nil, apperr.Invalid("url", "must use https")
	}
	if s.allowPrivate {
		return u, nil
	}
	r := s.resolver
	if r == nil {
		r = net.DefaultResolver
	}
	if !netguard.PublicHost(ctx, r, u.Hostname()) {
		return nil, errBadURL()
	}
	return u, nil
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
	ctx = bypass.AsTenant(ctx, tenantID, "webhook job: deliver a delivery of its tenant")
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
	upd.SetError(validate.Clip(deliveryError(sendErr), maxDeliveryError))
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
	dialer := netguard.NewDialer(allowPrivate)
	return &httpClient{c: &http.Client{
		Timeout: 10 * time.Second,
		// No proxy: it would connect on the webhook's behalf, past the check.
		Transport:     &http.Transport{Proxy: nil, DialContext: dialer.DialContext, TLSHandshakeTimeout: 5 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Limits of webhook text.
const (
	maxWebhookDescription = 200
	maxDeliveryError      = 1000
)

// errStatus is a non-2xx answer from the endpoint.
type errStatus struct{ code int }

func (e errStatus) Error() string { return fmt.Sprintf("endpoint answered HTTP %d", e.code) }

// deliveryError is what the delivery log says about a failed attempt: a
// fixed sentence per kind of failure, never the resolved address or the
// resolver's message (which would tell an admin whether, and to what, an
// internal name resolves). The full error goes to the job's own log,
// which only the operator sees.
func deliveryError(err error) string {
	var st errStatus
	var op *net.OpError
	var dns *net.DNSError
	var ne net.Error
	var cert *tls.CertificateVerificationError
	var rh tls.RecordHeaderError
	switch {
	case errors.As(err, &st):
		return st.Error()
	case errors.Is(err, netguard.ErrForbiddenAddress), errors.As(err, &dns), errors.As(err, &op) && op.Op == "dial":
		return "could not connect: the host does not resolve to an allowed address, or did not accept the connection"
	case errors.As(err, &cert), errors.As(err, &rh):
		return "TLS handshake failed: the endpoint's certificate is not trusted or it does not speak TLS"
	case errors.As(err, &ne) && ne.Timeout():
		return "the endpoint did not answer in time"
	}
	return "delivery failed"
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
	defer func() { _ = res.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, errStatus{res.StatusCode}
	}
	return res.StatusCode, nil
}
