package settings_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/ai"
	"github.com/wegweiser/wegweiser/backend/internal/ai/provider"
	"github.com/wegweiser/wegweiser/backend/internal/ai/settings"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/netguard"
	"github.com/wegweiser/wegweiser/backend/internal/secrets"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/aisettings"
	"github.com/wegweiser/wegweiser/ent/auditevent"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// httpProvider is a fake provider that makes one real HTTP request to its
// base URL with the client it was built with, so the tests see what the
// netguard dialer does; it answers with fixed token counts.
type httpProvider struct{ cfg provider.Config }

func (p *httpProvider) Model() string { return p.cfg.Model }

func (p *httpProvider) Complete(ctx context.Context, _ ai.Request, _ func(string)) (ai.Response, error) {
	c := p.cfg.HTTPClient
	if c == nil {
		c = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(p.cfg.BaseURL, "/")+"/chat/completions", bytes.NewReader([]byte("{}")))
	if err != nil {
		return ai.Response{}, err
	}
	req.Header.Set("Authorization", "Bearer "+p.cfg.APIKey)
	res, err := c.Do(req)
	if err != nil {
		return ai.Response{}, apperr.Unavailable(err, "the endpoint could not be reached")
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return ai.Response{}, apperr.FailedPrecondition("the endpoint answered HTTP %d", res.StatusCode)
	}
	return ai.Response{Message: ai.Message{Role: ai.RoleAssistant, Content: "OK"}, PromptTokens: 12, CompletionTokens: 1, Model: p.cfg.Model}, nil
}

func newService(t *testing.T, st *store.Store, op settings.Operator) *settings.Service {
	t.Helper()
	box, err := secrets.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	s := settings.New(st, box, op)
	s.NewProvider = func(cfg provider.Config) (ai.Provider, error) { return &httpProvider{cfg: cfg}, nil }
	return s
}

// endpoint is a local server speaking just enough of the protocol, counting
// requests and remembering the last bearer key.
func endpoint(t *testing.T) (*httptest.Server, *atomic.Int32, *atomic.Value) {
	t.Helper()
	var hits atomic.Int32
	var key atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		key.Store(r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits, &key
}

// TestSettingsRoundTripSealsTheKey: the key is stored sealed (not in the
// database in plain text), never returned, kept when the update leaves it
// empty and removed with clear_api_key; the effective source follows.
func TestSettingsRoundTripSealsTheKey(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		h := testenv.NewHierarchy(t, st)
		ctx := h.As(viewer.RoleOwner)
		s := newService(t, st, settings.Operator{TokenBudget: 1000})
		got, err := s.Get(ctx)
		if err != nil || got.EffectiveSource != settings.SourceBuiltin || got.EffectiveModel != ai.BuiltinModel || got.EffectiveBudget != 1000 {
			t.Fatalf("fresh settings: %+v %v", got, err)
		}
		const key = "sk-test-SECRET-0123456789"
		got, err = s.Update(ctx, settings.Update{Enabled: true, BaseURL: "https://llm.example.com/v1", Model: "gpt-x", APIKey: key, TokenBudget: 5000})
		if err != nil {
			t.Fatal(err)
		}
		if !got.HasAPIKey || got.EffectiveSource != settings.SourceTenant || got.EffectiveModel != "gpt-x" || got.EffectiveBudget != 5000 {
			t.Fatalf("after update: %+v", got)
		}
		if strings.Contains(fmt.Sprintf("%+v", got), key) {
			t.Fatal("settings carry the key")
		}
		// Not in the database in plain text.
		var raw []byte
		if err := st.DB.QueryRow(`SELECT api_key_encrypted FROM ai_settings`).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if len(raw) == 0 || bytes.Contains(raw, []byte(key)) {
			t.Fatalf("stored key %q", raw)
		}
		// An update without a key keeps it; clear_api_key removes it.
		if got, err = s.Update(ctx, settings.Update{Enabled: true, BaseURL: "https://llm.example.com/v1", Model: "gpt-y"}); err != nil || !got.HasAPIKey {
			t.Fatalf("key not kept: %+v %v", got, err)
		}
		if got, err = s.Update(ctx, settings.Update{Enabled: false, BaseURL: "https://llm.example.com/v1", Model: "gpt-y", ClearAPIKey: true}); err != nil || got.HasAPIKey {
			t.Fatalf("key not cleared: %+v %v", got, err)
		}
		if got.EffectiveSource != settings.SourceBuiltin || got.BaseURL != "https://llm.example.com/v1" {
			t.Fatalf("disabled settings: %+v", got)
		}
		// The change was audited, without the key.
		ev, err := st.Ent.AuditEvent.Query().Where(auditevent.Action(settings.AuditAction)).Order(ent.Asc(auditevent.FieldCreatedAt)).First(ctx)
		if err != nil {
			t.Fatalf("audit event: %v", err)
		}
		detail := ev.Detail
		if strings.Contains(detail, key) || !strings.Contains(detail, "api_key=replaced") {
			t.Fatalf("audit detail %q", detail)
		}
	})
}

// TestValidation: each bad field is invalid_argument naming it.
func TestValidation(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		h := testenv.NewHierarchy(t, st)
		ctx := h.As(viewer.RoleOwner)
		s := newService(t, st, settings.Operator{})
		for field, up := range map[string]settings.Update{
			"base_url":             {BaseURL: "ftp://x.example.com"},
			"model":                {Model: strings.Repeat("m", settings.MaxModel+1)},
			"api_key":              {APIKey: strings.Repeat("k", settings.MaxAPIKey+1)},
			"monthly_token_budget": {TokenBudget: settings.MaxTokenBudget + 1},
			"azure_api_version":    {AzureAPIVersion: strings.Repeat("v", 51)},
		} {
			_, err := s.Update(ctx, up)
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.KindInvalid || e.Field != field {
				t.Errorf("%s: %v", field, err)
			}
		}
		if _, err := s.Update(ctx, settings.Update{Enabled: true, Model: "m"}); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("enabled without a base URL: %v", err)
		}
		if _, err := s.Update(ctx, settings.Update{TokenBudget: -1}); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("negative budget: %v", err)
		}
		if _, err := s.Update(ctx, settings.Update{BaseURL: "https://x.example.com/" + strings.Repeat("a", settings.MaxBaseURL)}); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("long URL: %v", err)
		}
	})
}

// TestPrivateEndpoints: a literal private address is refused when saved; a
// name that resolves to one is refused when connecting, by the netguard
// dialer, before any request reaches the server, and the test reports it
// in words that do not say whether the name resolved; the operator's flag
// lets both through.
func TestPrivateEndpoints(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		h := testenv.NewHierarchy(t, st)
		ctx := h.As(viewer.RoleOwner)
		srv, hits, _ := endpoint(t)
		_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
		guarded := newService(t, st, settings.Operator{})
		for _, u := range []string{srv.URL + "/v1", "http://10.1.2.3/v1", "https://169.254.169.254/v1", "http://[::1]:" + port, "http://[::ffff:127.0.0.1]:" + port} {
			_, err := guarded.Update(ctx, settings.Update{Enabled: true, BaseURL: u, Model: "m"})
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.KindInvalid || e.Field != "base_url" {
				t.Errorf("%s: %v, want invalid_argument on base_url", u, err)
			}
		}
		// A name resolving to loopback passes the save and is refused on
		// connect.
		name := loopbackName(t)
		if _, err := guarded.Update(ctx, settings.Update{Enabled: true, BaseURL: "http://" + net.JoinHostPort(name, port) + "/v1", Model: "m", APIKey: "k"}); err != nil {
			t.Fatalf("save name: %v", err)
		}
		res, err := guarded.Test(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.OK || hits.Load() != 0 {
			t.Fatalf("connected to a private address: %+v, %d requests", res, hits.Load())
		}
		unresolved := settings.FailureMessage(apperr.Unavailable(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "nowhere.internal", IsNotFound: true}}, "x"))
		if res.Message != unresolved || strings.Contains(res.Message, "127.0.0.1") || strings.Contains(res.Message, name) {
			t.Fatalf("message %q, want the same as for a name that does not resolve (%q)", res.Message, unresolved)
		}
		// The dialer itself refuses it.
		if _, err := netguard.NewDialer(false).DialContext(context.Background(), "tcp", net.JoinHostPort(name, port)); !errors.Is(err, netguard.ErrForbiddenAddress) {
			t.Fatalf("dialer: %v", err)
		}

		// With the operator's permission both work and the key is sent.
		open := newService(t, st, settings.Operator{AllowPrivate: true})
		if _, err := open.Update(ctx, settings.Update{Enabled: true, BaseURL: srv.URL + "/v1", Model: "m"}); err != nil {
			t.Fatalf("allowed private URL: %v", err)
		}
		res, err = open.Test(ctx)
		if err != nil || !res.OK || hits.Load() != 1 {
			t.Fatalf("allowed test: %+v %v (%d requests)", res, err, hits.Load())
		}
	})
}

// loopbackName returns a host name the system resolves to loopback only.
func loopbackName(t *testing.T) string {
	t.Helper()
	addrs, err := net.DefaultResolver.LookupNetIP(context.Background(), "ip", "localhost")
	if err != nil || len(addrs) == 0 {
		t.Skip("localhost does not resolve here")
	}
	for _, a := range addrs {
		if !a.IsLoopback() {
			t.Skip("localhost resolves to a non-loopback address here")
		}
	}
	return "localhost"
}

// TestBudget: Allow refuses with resource_exhausted once the month's
// recorded tokens reach the budget; calls of last month do not count;
// Usage reports the numbers.
func TestBudget(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		h := testenv.NewHierarchy(t, st)
		ctx := h.As(viewer.RoleOwner)
		s := newService(t, st, settings.Operator{TokenBudget: 100})
		now := time.Date(2026, 12, 15, 12, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return now })
		bg := context.Background()
		// Last month's use does not count.
		now = time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)
		if err := s.Record(bg, ai.Call{TenantID: h.Tenant, Purpose: ai.PurposeChat, Model: "m", PromptTokens: 500, Outcome: ai.OutcomeOK}); err != nil {
			t.Fatal(err)
		}
		now = time.Date(2026, 12, 15, 12, 0, 0, 0, time.UTC)
		if err := s.Allow(bg, h.Tenant); err != nil {
			t.Fatalf("fresh month: %v", err)
		}
		user := uuid.New()
		for range 2 {
			if err := s.Record(bg, ai.Call{TenantID: h.Tenant, UserID: user, Purpose: ai.PurposeChat, Model: "m", PromptTokens: 40, CompletionTokens: 10, Latency: 1500 * time.Millisecond, Outcome: ai.OutcomeOK}); err != nil {
				t.Fatal(err)
			}
		}
		err := s.Allow(bg, h.Tenant)
		if !apperr.Is(err, apperr.KindResourceExhausted) {
			t.Fatalf("after 100 of 100 tokens: %v", err)
		}
		// Another tenant is not affected.
		other := testenv.NewHierarchy(t, st)
		if err := s.Allow(bg, other.Tenant); err != nil {
			t.Fatalf("other tenant: %v", err)
		}
		// A fresh service (another process) counts from the database.
		fresh := newService(t, st, settings.Operator{TokenBudget: 100})
		fresh.SetClock(func() time.Time { return now })
		if err := fresh.Allow(bg, h.Tenant); !apperr.Is(err, apperr.KindResourceExhausted) {
			t.Fatalf("fresh service: %v", err)
		}
		// The tenant's own budget wins over the operator's.
		if _, err := fresh.Update(ctx, settings.Update{TokenBudget: 1000}); err != nil {
			t.Fatal(err)
		}
		if err := fresh.Allow(bg, h.Tenant); err != nil {
			t.Fatalf("with a budget of 1000: %v", err)
		}
		u, err := fresh.Usage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if u.TokensUsed != 100 || u.TokenBudget != 1000 || u.CallCount != 2 || len(u.Calls) != 3 || !u.PeriodStart.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("usage: %+v", u)
		}
		c := u.Calls[0]
		if c.UserID == nil || *c.UserID != user || c.LatencyMs != 1500 || c.PromptTokens != 40 || c.Outcome != "ok" {
			t.Fatalf("latest call: %+v", c)
		}
	})
}

// TestProviderResolution: the tenant's endpoint when enabled (with its key
// opened), else the operator's, else none.
func TestProviderResolution(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		h := testenv.NewHierarchy(t, st)
		ctx := h.As(viewer.RoleOwner)
		bg := context.Background()
		none := newService(t, st, settings.Operator{})
		if p, err := none.Provider(bg, h.Tenant); p != nil || err != nil {
			t.Fatalf("no configuration: %v %v", p, err)
		}
		op := newService(t, st, settings.Operator{BaseURL: "http://ollama.local:11434/v1", Model: "llama"})
		p, err := op.Provider(bg, h.Tenant)
		if err != nil || p == nil || p.Model() != "llama" || p.(*httpProvider).cfg.HTTPClient != nil {
			t.Fatalf("operator provider: %v %v", p, err)
		}
		if _, err := op.Update(ctx, settings.Update{Enabled: true, BaseURL: "https://api.example.com/v1", Model: "gpt-t", APIKey: "sk-1"}); err != nil {
			t.Fatal(err)
		}
		p, err = op.Provider(bg, h.Tenant)
		if err != nil || p.Model() != "gpt-t" {
			t.Fatalf("tenant provider: %v %v", p, err)
		}
		cfg := p.(*httpProvider).cfg
		if cfg.APIKey != "sk-1" || cfg.HTTPClient == nil {
			t.Fatalf("tenant provider config: key %q, client %v", cfg.APIKey, cfg.HTTPClient)
		}
		// A row of the tenant exists, of no other.
		n, err := st.Ent.AISettings.Query().Where(aisettings.TenantID(h.Tenant)).Count(ctx)
		if err != nil || n != 1 {
			t.Fatalf("%d rows, %v", n, err)
		}
	})
}
